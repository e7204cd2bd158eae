/**
 * Scenario (issue 20): the event store, two parts.
 *
 * latency  Stopzone answers a steady 3,000 queries a second for cached names and 2,000 a second for blocked
 *          names (each a block event: NXDOMAIN by policy, never cached) for 60 s, with the store on and with
 *          it off, in interleaved rounds (off, on, off, on). Hypothesis: with the store on, the p99 latency is
 *          within 10 % of the same run with it off, since record() only appends to an array and the writing
 *          happens on a thread of its own at nice 19; and no event is lost below the queue bound (every
 *          policy hit is written, none dropped). Baseline: the rounds with the store off. Since p99 on a shared
 *          machine is mostly other jobs, it also prints the CPU time of the answering thread and of the other
 *          threads in each round, which contention disturbs far less: the store's cost per event.
 * scale    10,000,000 events over 90 days are written to a database through the server's writer, then the
 *          console's reads are timed through the server's store: a search by reference code, by a part of a
 *          name (a common part, one name often blocked, one seldom, one never), by client, by list and group,
 *          and the dashboard. Hypothesis: each under 200 ms (a search stops at its budget, 100 ms, and
 *          returns a cursor; the dashboard reads hourly counts, not events). Prints the size per million events.
 *
 * Layout (2 CPUs, latency): Stopzone alone on CPU 1 (`node dist/cli/main.js serve` as npm start runs it), its
 * block log to a file; dnsperf (two processes), the loopback fake upstream and this script on CPU 0. Every socket
 * is on 127.0.0.1. The scale part runs in this process.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/store.ts [--parts latency,scale] [--events N]
 *      [--keep FILE] [--seconds S] [--rounds R]
 * --keep FILE fills FILE (when it does not exist) instead of a temporary file and leaves it, so that a rerun
 * times the reads again without the fill (some 12 minutes for 10,000,000 events).
 * Defaults: both parts, 10,000,000 events, 60 s, 2 rounds of each. `--events 1000000 --seconds 10 --rounds 1`
 * checks that it works in a few minutes. Knobs as for the other benchmarks: BENCH_SKIP_BUILD=1, BENCH_NICE,
 * BENCH_QUIET_WAIT. Needs dnsperf and taskset. Every process started here is killed on exit; the temporary
 * directory (some 1.5 GB for 10,000,000 events) is removed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { benchTmp, need, stopOnSignal } from './lib/processes.js';
import { buildUnlessSkipped } from './lib/stopzone-launch.js';
import { latencyRounds } from './store/latency.js';
import { scale } from './store/scale.js';

const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: 'latency,scale' },
    events: { type: 'string', default: '10000000' },
    keep: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '2' },
  },
});
const parts = values.parts.split(',');

// This script (and dnsperf, the fake upstream) on CPU 0; Stopzone gets CPU 1.
if (process.env.BENCH_PINNED !== '1') {
  const child = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } });
  process.exit(child.status ?? 1);
}
need('taskset', 'util-linux');
const TMP = benchTmp('stopzone-store-bench-');

if (parts.includes('latency')) {
  need('dnsperf', 'dnsperf');
  buildUnlessSkipped();
  const { startFakeUpstream } = await import('../test/helpers/fake-upstream.js');
  const records: Record<string, Array<{ type: string; ttl: number; data: string }>> = {};
  const steady: string[] = [];
  for (let i = 1; i <= 300; i++) {
    const name = `host${String(i).padStart(3, '0')}.bench.test`;
    records[name] = [{ type: 'A', ttl: 86_400, data: `192.0.2.${i % 250}` }];
    steady.push(`${name} A`);
  }
  writeFileSync(join(TMP, 'steady.txt'), `${steady.join('\n')}\n`);
  // 10,000 names under one wildcard rule, 2,000 registrable-looking parents: many names, as a day of blocks has.
  writeFileSync(join(TMP, 'blocked.txt'), `${Array.from({ length: 10_000 }, (_, i) => `u${i}.n${i % 2000}.blocked.bench A`).join('\n')}\n`);
  writeFileSync(join(TMP, 'bench.rpz'), '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n*.blocked.bench CNAME .\n');
  const upstream = await startFakeUpstream({ records });
  stopOnSignal(() => upstream.close());
  await latencyRounds({ dir: TMP, upstream: upstream.hostPort, seconds: Number(values.seconds), rounds: Number(values.rounds), steadyQps: 3000, blockQps: 2000 });
  await upstream.close();
}
if (parts.includes('scale')) await scale(TMP, Number(values.events), values.keep);
process.exit(0);
