import { parentPort, workerData } from 'node:worker_threads';
import { PolicyZone } from '../rpz/policy-zone.js';
import { loadZoneSource } from './load-source.js';
import type { ZoneConfig } from './zone-source.js';

/**
 * Worker thread body: loads one zone (reading and compiling a million rules
 * takes seconds of CPU) and posts it back as plain data, its typed arrays
 * transferred, not copied. The thread that answers queries never runs the
 * compile, so a reload does not stall answers.
 */
const { config, path } = workerData as { config: ZoneConfig; path: string };
try {
  const data = (await loadZoneSource(config, path)).toData();
  parentPort!.postMessage({ ok: true, data }, PolicyZone.transferList(data));
} catch (error) {
  parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
}
