/** The compass benchmark's knobs (environment, checked once) and its layout on the machine's two CPUs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchTmp, die, ROOT } from '../lib/processes.js';

const env = process.env;

/** A whole-number knob of at least `min`; the default when unset; exits naming the knob when it is anything else. */
function count(name: string, fallback: number, min = 1): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) die(`${name}=${text}: expected a whole number of at least ${min}`);
  return value;
}

/** The workloads, in the order they run; the last two run only when BENCH_WORKLOADS names them. */
export const WORKLOAD_NAMES = ['forwarder', 'hits', 'misses', 'compass', 'policy', 'workers'] as const;
const DEFAULT_WORKLOADS = 'forwarder hits compass workers';
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** dnsperf -l of every measured run. */
export const SECONDS = count('BENCH_SECONDS', 15);
export const ROUNDS = count('BENCH_ROUNDS', 3);
export const CLIENTS = count('BENCH_CLIENTS', 4);
/** dnsperf -q of the capacity runs (bench/README.md, forwarder-vs-unbound.sh, "Settings"). */
export const OUTSTANDING = count('BENCH_OUTSTANDING', 200);
export const TRIGGERS = count('BENCH_TRIGGERS', 1_000_000, 100);
export const WORKLOADS = (env.BENCH_WORKLOADS ?? DEFAULT_WORKLOADS).split(/\s+/).filter((w) => w !== '') as WorkloadName[];
for (const workload of WORKLOADS) if (!WORKLOAD_NAMES.includes(workload)) die(`unknown workload "${workload}" in BENCH_WORKLOADS; expected some of: ${WORKLOAD_NAMES.join(', ')}`);
/** Extra YAML lines for Stopzone's config. */
export const EXTRA_YAML = env.BENCH_STOPZONE_YAML ?? '';
/**
 * BENCH_CHALLENGER=floor: Unbound against bench/node-floor/answer-echo.mjs instead of Stopzone, in the same workloads,
 * rounds and layout: what any Node.js server built on dgram can reach at all (it echoes every query but a unique
 * miss, which it relays to NSD). The report's "stopzone" lines are then the floor's.
 */
export const CHALLENGER: 'stopzone' | 'floor' = (() => {
  const value = env.BENCH_CHALLENGER ?? 'stopzone';
  if (value !== 'stopzone' && value !== 'floor') die(`BENCH_CHALLENGER=${value}: expected stopzone or floor`);
  return value;
})();
/** The challenger as the report names it. */
export const CHALLENGER_NAME = CHALLENGER === 'floor' ? 'Node floor' : 'Stopzone';
/** A server as the tables and the progress lines name it. */
export const label = (kind: 'unbound' | 'stopzone'): string => (kind === 'unbound' ? 'unbound' : CHALLENGER);
/** BENCH_BLOCK_LOG=0: the policy zone's block-log events off (log: false); on by default, as shipped. */
export const BLOCK_LOG = env.BENCH_BLOCK_LOG !== '0';

/** One thread or loop per server: the servers alone on CPU 1. */
export const SERVER_CPU = '1';
/** Two threads or workers: the servers on both CPUs (CPU 0 shared with the load). */
export const BOTH_CPUS = '0,1';
/** dnsperf, NSD and this script. */
export const LOAD_CPU = '0';
/** dnsperf -t: a query unanswered for this long is lost. */
export const TIMEOUT_S = 2;
/** Lines of a capacity run's query file per second of run: more than any server here answers (-n 1 never wraps round). */
export const LINES_PER_SECOND = 250_000;
/** The rate of the latency runs, as a share of the slower server's capacity measured in the same round. */
export const RATE_SHARE = 0.5;
/** The policy zone's origin in both servers. */
export const ZONE = 'rpz.bench';

export const LOAD_AT_START = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
export const OUT_DIR = join(ROOT, 'bench', 'out');
/** This run's temporary directory (zone, query files, configs, logs), removed on exit. */
export const TMP = benchTmp('stopzone-compass-');
