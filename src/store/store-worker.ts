// The writing thread of the event store (started by sqlite-event-store.ts at the lowest priority): every
// write, retention delete and checkpoint of the database happens here, never on the thread answering queries.
import type { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerOwnPriority } from '../runtime/low-priority-threads.js';
import { EventWriter } from './event-writer.js';
import { FIELDS } from './event-batch.js';
import { cannotWrite, isBadData } from './store-failure.js';
import type { ToWorker, FromWorker, WorkerSettings } from './store-messages.js';
import { openForWriting } from './store-schema.js';

lowerOwnPriority();
const settings = workerData as WorkerSettings;
const port = parentPort!;
const send = (message: FromWorker): void => port.postMessage(message);

let db: DatabaseSync | null = null;
let writer: EventWriter | null = null;
let failing: string | null = null;
/** The events handed over and not yet written (FIELDS values each): written at a commit, kept while the file cannot be written. */
let held: unknown[] = [];
let retryTimer: NodeJS.Timeout | undefined;

/** Opens the file (again) when it is not open, then writes the held batch; reports the state when it changed or `always`. */
function attempt(always: boolean): void {
  clearTimeout(retryTimer);
  const before = failing;
  try {
    if (writer === null) {
      db?.close();
      db = null;
      mkdirSync(dirname(settings.file), { recursive: true });
      db = openForWriting(settings.file, settings.busyMs, settings.cacheKiB);
      writer = new EventWriter(db);
    }
    failing = null;
    if (held.length > 0) writeHeld();
  } catch (error) {
    fail(error);
  }
  if (always || failing !== before) send({ kind: 'state', failing });
}

/** Events written and refused since the last "written" answer: each commit gets one answer, however its events went. */
let written = 0;
let refused = 0;
let refusedReason = '';

/**
 * Writes every held event in one transaction, and answers. When SQLite refuses a value in it, each event is
 * written again in a transaction of its own, so that only the events it refuses are lost. A failing file
 * (thrown to the caller) leaves the events not yet written held for the retry, which answers.
 */
function writeHeld(): void {
  try {
    written += writer!.write(held);
    held = [];
  } catch (error) {
    if (!isBadData(error)) throw error;
    writeEachAlone();
  }
  reportWritten();
}

function reportWritten(): void {
  send({ kind: 'written', count: written, refused, reason: refusedReason });
  written = refused = 0;
  refusedReason = '';
}

/** Writes the held events one transaction each, counting those SQLite refuses; on any other error, what is not yet written stays held. */
function writeEachAlone(): void {
  let at = 0;
  try {
    for (; at < held.length; at += FIELDS) {
      try {
        written += writer!.write(held.slice(at, at + FIELDS));
      } catch (error) {
        if (!isBadData(error)) throw error;
        refused++;
        refusedReason = cannotWrite(settings.file, error);
      }
    }
  } finally {
    held = held.slice(at);
  }
}

/** Closes the file, says why, and tries again in retryMs: a lock may be let go, a damaged file moved aside. */
function fail(error: unknown): void {
  clearTimeout(retryTimer);
  failing = cannotWrite(settings.file, error);
  writer = null;
  try {
    db?.close();
  } catch {}
  db = null;
  retryTimer = setTimeout(() => attempt(false), settings.retryMs);
}

/** Lets queued messages (batches to write) run between the batches of a long delete. */
const yieldToMessages = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function retain(before: number, batch: number): Promise<{ deleted: number; batches: number }> {
  let deleted = 0;
  let batches = 0;
  try {
    for (;;) {
      if (writer === null) break;
      const count = writer.deleteOlder(before, batch);
      deleted += count;
      if (count > 0) batches++;
      if (count < batch) break;
      await yieldToMessages();
    }
    while (writer !== null && writer.deleteOlderCounts(before, 24) > 0) await yieldToMessages();
    for (let after: string | null = ''; writer !== null && deleted > 0 && after !== null; await yieldToMessages()) after = writer.deleteUnusedNames(after, 1000).last;
    if (deleted > 0) db?.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch (error) {
    const before = failing;
    fail(error);
    if (failing !== before) send({ kind: 'state', failing });
  }
  return { deleted, batches };
}

port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'write':
      if (held.length === 0) held = message.batch;
      else for (const value of message.batch) held.push(value);
      return;
    case 'commit':
      // Unless the file is failing: then its retry writes what is held.
      if (writer !== null && held.length > 0) attempt(false);
      return;
    case 'retry':
      attempt(true);
      return;
    case 'retain':
      void retain(message.before, message.batch).then((done) => send({ kind: 'retained', ...done }));
      return;
    case 'close':
      clearTimeout(retryTimer);
      try {
        db?.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      } catch {}
      try {
        db?.close();
      } catch {}
      // Events written one by one before the file failed are told, not left out of the counts.
      if (written + refused > 0) reportWritten();
      send({ kind: 'closed', unwritten: held.length / FIELDS });
      return;
  }
});

attempt(true);
