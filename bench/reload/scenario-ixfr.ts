/**
 * Scenario "ixfr": Stopzone is a secondary of a BIND primary (TSIG) that serves the same zone; it loads it by
 * AXFR at start-up (timed), then is restarted from its last-good copy for the measured run. Then 10,000 changes
 * (the same 5,000 removals and 5,000 additions as the file scenario) are made at the primary by nsupdate in 10
 * messages of 1,000 (an update message must fit in 64 KiB), and one signed NOTIFY makes Stopzone fetch them as
 * one IXFR (BENCH_NOTIFY=each: BIND notifies after every message instead).
 */
import { readFileSync } from 'node:fs';
import { freePort } from '../../test/helpers/daemon.js';
import { mib } from '../lib/dnsperf.js';
import { ADDR, runPinned, stopProc } from '../lib/processes.js';
import { eventTime, memoryMetrics, metrics } from '../lib/stopzone-log.js';
import { measure, type Change, type Result } from './measure.js';
import { updateScripts } from './names.js';
import { KEY, KEY_ARG, namedLogTail, startBind } from './peers.js';
import { IXFR_BATCHES, LOAD_CPU, NOTIFY_MODE, ZONE } from './settings.js';
import { startStopzone, type Stopzone } from './stopzone.js';
import { loadQueries, warmAndRate } from './warm.js';

/** Runs the scenario against `upstream` (NSD's "127.0.0.1:port"). */
export async function scenarioIxfr(upstream: string): Promise<Result> {
  const stopzonePort = await freePort();
  const bindPort = await freePort();
  console.log('ixfr: starting BIND with the 1,000,000-trigger zone');
  const bind = await startBind(bindPort, stopzonePort);
  console.log(`ixfr: BIND serves ${ZONE} serial 1 after ${bind.seconds.toFixed(1)} s`);
  try {
    const zoneYaml = `tsigKeys:\n  - { name: ${KEY.name}, algorithm: ${KEY.algorithm}, secret: "${KEY.secret}" }\npolicy:\n  zones:\n    - { name: ${ZONE}, primaries: ["${ADDR}:${bindPort}"], key: ${KEY.name} }`;
    // First start: no copy in the state directory, so the zone comes by AXFR before Stopzone serves.
    const first = await startStopzone('ixfr', stopzonePort, upstream, zoneYaml, '-axfr');
    let axfrLine: string;
    try {
      axfrLine = await describeAxfr(first);
      console.log(`ixfr: ${axfrLine}`);
    } finally {
      await stopProc(first.proc);
      first.log.close();
    }
    // The measured run restarts from the last-good copy (then a SOA check finds it up to date): its steady memory
    // does not depend on whether V8 has yet collected the AXFR's garbage (up to 400 MiB of it, for a while).
    const stopzone = await startStopzone('ixfr', stopzonePort, upstream, zoneYaml);
    try {
      if (!stopzone.log.events.some((e) => e.msg.startsWith('policy zone loaded from its last-good copy'))) throw new Error(`the restart did not load the last-good copy:\n${stopzone.log.tail()}`);
      console.log('ixfr: restarted from the last-good copy');
      const { rate, capacity } = await warmAndRate(stopzone, 'ixfr');
      const queries = loadQueries('ixfr', rate);
      const updates: string[] = [];
      const result = await measure('ixfr', stopzone, rate, capacity, queries, String(1 + IXFR_BATCHES), () => changeAtPrimary(bindPort, stopzonePort, updates), [
        axfrLine,
        `named start-up with the zone: ${bind.seconds.toFixed(1)} s`,
      ]);
      result.extra.splice(2, 0, `nsupdate messages (ms each): ${updates.join(', ')}`);
      return result;
    } finally {
      await stopProc(stopzone.proc);
      stopzone.log.close();
    }
  } finally {
    await stopProc(bind.proc, 10_000);
  }
}

/** The start-up AXFR as the log and /metrics tell it: size, time, memory then. */
async function describeAxfr(first: Stopzone): Promise<string> {
  const axfr = first.log.events.find((e) => e.msg === 'policy zone loaded');
  const t = axfr?.transfer as { kind: string; bytes: number; ms: number } | undefined;
  const status = readFileSync(`/proc/${first.proc.child.pid!}/status`, 'utf8');
  const transfer = await metrics(first.admin, ['stopzone_policy_zone_transfer_seconds', 'stopzone_policy_zone_transfer_bytes']);
  return (
    `start-up: ${t?.kind ?? '?'} of ${ZONE} from BIND: ${((t?.bytes ?? NaN) / 1e6).toFixed(1)} MB in ${((t?.ms ?? NaN) / 1000).toFixed(2)} s (transfer and copy written), ` +
    `in force after ${((Number(axfr?.ms) || NaN) / 1000).toFixed(2)} s (transfer + load); serving ${((eventTime(first.serving) - first.startedAt) / 1000).toFixed(1)} s after the process started; ` +
    `RSS then ${mib(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]))} (peak ${mib(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]))}; ${await memoryMetrics(first.admin)}); ` +
    `/metrics: stopzone_policy_zone_transfer_seconds ${String(transfer.stopzone_policy_zone_transfer_seconds)}, _bytes ${String(transfer.stopzone_policy_zone_transfer_bytes)}`
  );
}

/** The 10 nsupdate messages (each one's time pushed to `updates`), then one signed NOTIFY unless BIND sends them. */
async function changeAtPrimary(bindPort: number, stopzonePort: number, updates: string[]): Promise<Change> {
  const primaryFrom = Date.now();
  for (const script of updateScripts(bindPort)) {
    const begun = Date.now();
    const done = await runPinned(LOAD_CPU, 'nsupdate', ['-v', '-t', '20', '-y', KEY_ARG], script);
    if (done.code !== 0) throw new Error(`nsupdate failed: ${done.stderr}\n${namedLogTail()}`);
    updates.push(`${(Date.now() - begun).toFixed(0)}`);
  }
  const updated = Date.now();
  // each: BIND's first NOTIFY follows the first update at once, so the change counts from the first update.
  if (NOTIFY_MODE === 'each') return { at: primaryFrom, primaryFrom, note: `10 nsupdate messages of 1,000 changes applied in ${((updated - primaryFrom) / 1000).toFixed(2)} s; BIND sent a NOTIFY after each` };
  const sent = Date.now();
  const notify = await runPinned(LOAD_CPU, 'dig', ['+tries=1', '+time=2', '+norec', '+opcode=notify', '-p', String(stopzonePort), `@${ADDR}`, ZONE, 'SOA', '-y', KEY_ARG]);
  if (!/status: NOERROR/.test(notify.stdout)) throw new Error(`the NOTIFY was not accepted:\n${notify.stdout}`);
  return { at: sent, primaryFrom, note: `10 nsupdate messages of 1,000 changes applied in ${((updated - primaryFrom) / 1000).toFixed(2)} s, then one signed NOTIFY` };
}
