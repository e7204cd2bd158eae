import { parentPort, workerData } from 'node:worker_threads';
import { PolicyZone } from '../rpz/policy-zone.js';
import { lowerOwnPriority } from '../runtime/low-priority-threads.js';
import { refreshZone, type RefreshJob } from './refresh-zone.js';

/**
 * Worker thread body: runs one refresh (a transfer, its copy rewritten, and
 * the compile of a million rules take seconds of CPU) and posts the result
 * back, a whole zone as plain data with its typed arrays transferred, not
 * copied (an edit's arrays are SharedArrayBuffers, shared as they are). The
 * thread that answers queries never runs this work, so a reload does not
 * stall answers.
 */
lowerOwnPriority(); // in case the parent could not (see startLowPriorityWorker)
try {
  const { zone, ...rest } = await refreshZone(workerData as RefreshJob);
  const data = zone === null ? null : zone.toData();
  parentPort!.postMessage({ ok: true, ...rest, zone: data }, data === null ? [] : PolicyZone.transferList(data));
} catch (error) {
  parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
}
