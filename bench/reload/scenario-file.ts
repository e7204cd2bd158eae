/**
 * Scenario "file": the zone is a watched `file:` zone; a new version (5,000 triggers removed, 5,000 added,
 * serial 2) is written beside it and renamed over it: a full read and compile of 1,000,000 triggers under load.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/daemon.js';
import { stopProc } from '../lib/processes.js';
import { eventTime } from '../lib/stopzone-log.js';
import { measure, type Result } from './measure.js';
import { writeZone } from './names.js';
import { TMP, ZONE } from './settings.js';
import { startStopzone } from './stopzone.js';
import { loadQueries, warmAndRate } from './warm.js';

/** Runs the scenario against `upstream` (NSD's "127.0.0.1:port"). */
export async function scenarioFile(upstream: string): Promise<Result> {
  const zones = join(TMP, 'zones');
  const staging = join(TMP, 'staging');
  mkdirSync(zones);
  mkdirSync(staging);
  const zoneFile = join(zones, 'bench.rpz');
  await writeZone(zoneFile, 1, 1);
  await writeZone(join(staging, 'bench.rpz'), 2, 2);
  const stopzone = await startStopzone('file', await freePort(), upstream, `policy:\n  zones:\n    - { name: ${ZONE}, file: "${zoneFile}" }`);
  try {
    const first = stopzone.log.events.find((e) => e.msg === 'policy zone loaded');
    const startup = `start-up: zone file loaded in ${String(first?.ms)} ms; serving ${((eventTime(stopzone.serving) - stopzone.startedAt) / 1000).toFixed(1)} s after the process started`;
    console.log(`file: ${startup}`);
    const { rate, capacity } = await warmAndRate(stopzone, 'file');
    const queries = loadQueries('file', rate);
    return await measure('file', stopzone, rate, capacity, queries, '2', async () => {
      renameSync(join(staging, 'bench.rpz'), zoneFile);
      return { at: Date.now(), note: 'renamed version 2 (serial 2, 5,000 triggers removed, 5,000 added) over the zone file' };
    }, [startup]);
  } finally {
    await stopProc(stopzone.proc);
    stopzone.log.close();
  }
}
