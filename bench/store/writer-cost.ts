/**
 * Scenario: the event store's writing thread at a high block rate, in process: the CPU it spends per event
 * (user + system, process.cpuUsage) writing batches of 250 synthetic events (bench/store/synthetic-events.ts: a
 * long tail of 50,000 names, 2,000 clients) through the server's EventWriter into a database that grows from
 * empty, one transaction a batch, as the server writes them.
 *
 * Hypothesis: with the write-ahead log copied into the file every WAL_CHECKPOINT_PAGES pages (the shipped
 * setting), an event costs clearly less than with SQLite's default of 1,000 pages, after which nearly every
 * batch was followed by a checkpoint and its fsync. Baseline: SQLite's default, in interleaved rounds
 * (default first in odd rounds, shipped first in even ones), each round a fresh database in a temporary
 * directory, which is removed.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/store/writer-cost.ts [events=150000] [rounds=4]
 * Pin it to one CPU to keep the scheduler out of the figure: taskset -c 1 ... Nothing leaves the process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendEvent, FIELDS } from '../../src/store/event-batch.js';
import { EventWriter } from '../../src/store/event-writer.js';
import { openForWriting, WAL_CHECKPOINT_PAGES } from '../../src/store/store-schema.js';
import { syntheticEvents } from './synthetic-events.js';

const events = Number(process.argv[2] ?? 150_000);
const rounds = Number(process.argv[3] ?? 4);
const BATCH = 250;
const SQLITE_DEFAULT_PAGES = 1000;

/** CPU µs per event writing `events` events with the log copied every `pages` pages. */
function writeAll(pages: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-writer-cost-'));
  try {
    const db = openForWriting(join(dir, 'events.sqlite'), 1000);
    db.exec(`PRAGMA wal_autocheckpoint = ${pages}`);
    const writer = new EventWriter(db);
    const now = Date.now();
    const batches: unknown[][] = [];
    let batch: unknown[] = [];
    for (const event of syntheticEvents(events, now - 3_600_000, now, 7)) {
      appendEvent(batch, event, event.time);
      if (batch.length < BATCH * FIELDS) continue;
      batches.push(batch);
      batch = [];
    }
    if (batch.length > 0) batches.push(batch);
    const before = process.cpuUsage();
    for (const each of batches) writer.write(each);
    const used = process.cpuUsage(before);
    db.close();
    return (used.user + used.system) / events;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = new Map<number, number[]>([
  [SQLITE_DEFAULT_PAGES, []],
  [WAL_CHECKPOINT_PAGES, []],
]);
console.log(`event store writer: ${events} events per round in batches of ${BATCH}, ${rounds} rounds, Node ${process.version}`);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [SQLITE_DEFAULT_PAGES, WAL_CHECKPOINT_PAGES] : [WAL_CHECKPOINT_PAGES, SQLITE_DEFAULT_PAGES];
  for (const pages of order) {
    const us = writeAll(pages);
    results.get(pages)!.push(us);
    console.log(`round ${round + 1}: checkpoint every ${String(pages).padStart(6)} pages: ${us.toFixed(1)} CPU µs an event`);
  }
}
const [base, shipped] = [median(results.get(SQLITE_DEFAULT_PAGES)!), median(results.get(WAL_CHECKPOINT_PAGES)!)];
console.log(`medians: SQLite's default ${base.toFixed(1)}, shipped ${shipped.toFixed(1)} CPU µs an event (${(((shipped - base) / base) * 100).toFixed(0)} %)`);
