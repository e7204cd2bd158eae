import { readFile, stat } from 'node:fs/promises';
import { PolicyZone, type PolicyZoneData } from '../rpz/policy-zone.js';
import { startLowPriorityWorker } from '../runtime/low-priority-threads.js';
import { refreshZone, type RefreshJob, type RefreshResult } from './refresh-zone.js';
import { sourceKind } from './zone-source.js';

/**
 * Zones whose file or last-good copy is at least this big are refreshed in a
 * worker thread. Compiling costs about 2 µs a record, a thread about 60 ms to
 * start: a smaller zone (under some 25,000 records) compiles faster than a
 * thread starts, and stalls answers less than a millisecond at a time (the
 * reader yields between 1 MiB chunks).
 */
export const OFF_THREAD_BYTES = 1 << 20;

/** A refresh's outcome on the thread that answers queries: an IXFR edit is put together with the zone in force. */
export interface RefreshOutcome extends RefreshResult {
  readonly offThread: boolean;
}

/**
 * Runs one refresh (see refreshZone) in a worker thread when the zone comes
 * from the network (a URL or primaries: what arrives, and how much, is the
 * other side's; a hostile feed or primary then costs a thread that can fail
 * alone, not the one that answers), is a big file (OFF_THREAD_BYTES), or is a
 * zone file that may $INCLUDE others (their size is not known), and here
 * otherwise. `inForce`, the version in force of a
 * zone with primaries, lets an IXFR change it instead of compiling the zone whole.
 * `signal` stops it (shutdown): a download is aborted, a refresh thread ended.
 */
export async function runRefresh(job: RefreshJob, inForce: PolicyZone | null = null, signal?: AbortSignal): Promise<RefreshOutcome> {
  const stats = await stat(job.path).catch(() => null); // no file: the loader reports a missing zone file with its own message
  // Only a regular file is read for $INCLUDE (a named pipe would hold the read); the loader refuses the others.
  // A download in this thread could also end the process: Node 24.21's fetch (undici 7.29.1) asserts on a server's
  // close while the body is paused for a slow write (nodejs/undici#5360); in a refresh thread it fails that refresh.
  // A start-up load of a saved copy (copyOnly) asks no one, and has a size: the size decides, as for a file.
  const fromNetwork = sourceKind(job.config) !== 'file' && job.copyOnly !== true;
  const offThread = fromNetwork || (stats === null ? sourceKind(job.config) !== 'file' : stats.size >= OFF_THREAD_BYTES || (stats.isFile() && (await mayInclude(job))));
  const withBase = inForce !== null && sourceKind(job.config) === 'primaries' ? { ...job, base: inForce.deltaBase() } : job;
  const result = await (offThread ? refreshOffThread(withBase, signal) : refreshZone(withBase, signal));
  if (result.edit === undefined) return { ...result, offThread };
  return { ...result, zone: PolicyZone.edited(inForce!, result.edit), offThread };
}

/** Whether a small zone file mentions $INCLUDE (only local zone files may include: a download or a copy never does). */
async function mayInclude(job: RefreshJob): Promise<boolean> {
  if (sourceKind(job.config) !== 'file' || job.config.format !== 'rpz') return false;
  const text = await readFile(job.path, 'latin1').catch(() => '');
  return /\$include/i.test(text);
}

/** The refresh worker's file beside this one: .ts when run from source (tests), .js when built. */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './refresh-worker.ts' : './refresh-worker.js', import.meta.url);

type Reply = ({ ok: true } & RefreshResult<PolicyZoneData>) | { ok: false; message: string };

/**
 * Runs one refresh in a worker thread started for it, at the lowest priority,
 * and ended after it (its memory goes with it); the zone is rebuilt here from
 * the transferred arrays once the thread has exited. Rejects with the
 * refresh's message, or at once when `signal` aborts (the thread is ended).
 */
export function refreshOffThread(job: RefreshJob, signal?: AbortSignal): Promise<RefreshResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(new Error('the zone refresh was stopped (Stopzone is shutting down)'));
    const worker = startLowPriorityWorker(WORKER, { workerData: job, name: 'stopzone-refresh' });
    let settled = false;
    // The outcome waits until the thread has exited. Its teardown frees the compile's memory (some 100 MiB);
    // a zone handed over while that ran overlapped the major GC that adopting it sets off, and the answering
    // thread stalled 40-60 ms (bench/HISTORY.md, 2026-11-23, night); handed over after the exit, it did not.
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      void worker.terminate().then(outcome, outcome);
    };
    const answered = (reply: Reply): void => {
      if (!reply.ok) return reject(new Error(reply.message));
      const { ok: _, zone, ...rest } = reply;
      resolve({ ...rest, zone: zone === null ? null : PolicyZone.fromData(zone) });
    };
    worker.once('message', (reply: Reply) => settle(() => answered(reply)));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the zone refresh thread exited with code ${code} before answering`))));
    const stop = (): void => settle(() => reject(new Error('the zone refresh was stopped (Stopzone is shutting down)')));
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', stop));
  });
}
