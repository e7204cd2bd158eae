import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { PolicyZone, type PolicyZoneData } from '../rpz/policy-zone.js';
import { loadZoneSource } from './load-source.js';
import type { ZoneConfig } from './zone-source.js';

/**
 * Files at least this big are loaded in a worker thread. Compiling costs
 * about 2 µs a record, a thread about 30 ms to start: a smaller zone
 * (under some 25,000 records) compiles faster than a thread starts, and
 * stalls answers less than a millisecond at a time (the reader yields
 * between 1 MiB chunks).
 */
export const OFF_THREAD_BYTES = 1 << 20;

/** Loads a zone: in a worker thread when its file is big (see OFF_THREAD_BYTES), here otherwise. */
export async function loadZone(config: ZoneConfig, path: string): Promise<{ zone: PolicyZone; offThread: boolean }> {
  const size = await stat(path).then(
    (stats) => stats.size,
    () => 0, // the loader reports the missing file with its own message
  );
  if (size < OFF_THREAD_BYTES) return { zone: await loadZoneSource(config, path), offThread: false };
  return { zone: await loadOffThread(config, path), offThread: true };
}

/** The worker's file beside this one: .ts when run from source (tests), .js when built. */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './load-worker.ts' : './load-worker.js', import.meta.url);

type Reply = { ok: true; data: PolicyZoneData } | { ok: false; message: string };

/**
 * Loads one configured zone from `path` in a worker thread started for it
 * and ended after it (its memory goes with it), and rebuilds the zone here
 * from the transferred arrays. Rejects with the loader's message (file:line
 * for a zone file that cannot be read).
 */
export function loadOffThread(config: ZoneConfig, path: string): Promise<PolicyZone> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { config, path } });
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      outcome();
    };
    worker.once('message', (reply: Reply) => settle(() => (reply.ok ? resolve(PolicyZone.fromData(reply.data)) : reject(new Error(reply.message)))));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the zone loader thread exited with code ${code} before answering`))));
  });
}
