/** The reload-under-load benchmark's knobs (environment, checked once) and the shape of its zone and load. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchTmp, die, ROOT } from '../lib/processes.js';

const env = process.env;
/** Scenarios to run, in order: "file", "ixfr". */
export const SCENARIOS = (env.BENCH_SCENARIOS ?? 'file ixfr').split(/\s+/).filter((s) => s !== '');
export const LOAD_SECONDS = Number(env.BENCH_LOAD_SECONDS ?? 65);
export const CHANGE_AT = Number(env.BENCH_CHANGE_AT ?? 15);
export const CAPACITY_SECONDS = Number(env.BENCH_CAPACITY_SECONDS ?? 10);
export const LOAD_SHARE = Number(env.BENCH_LOAD_SHARE ?? 0.5);
/** BENCH_RATE (qps) skips the capacity run. */
export const FIXED_RATE = env.BENCH_RATE === undefined ? null : Number(env.BENCH_RATE);
export const NOTIFY_MODE = env.BENCH_NOTIFY ?? 'once';
/** Extra config lines for Stopzone. */
export const EXTRA_YAML = env.BENCH_STOPZONE_YAML ?? '';
// Stopzone's CPUs (taskset list). BENCH_SERVER_CPUS=0,1 lets it use both (its compile thread then finds CPU time
// beside dnsperf's instead of taking it from the answering thread); the CPU accounting is then only indicative.
export const SERVER_CPU = env.BENCH_SERVER_CPUS ?? '1';
export const SHARED_CPUS = SERVER_CPU !== '1';
/** dnsperf, NSD, BIND, nsupdate and this script. */
export const LOAD_CPU = '0';

export const ZONE = 'rpz.bench';
export const TRIGGERS = 1_000_000;
/** Bases listed as exact + wildcard; the rest exact only. */
export const PAIRS = 350_000;
export const BASES = TRIGGERS - PAIRS; // 650,000
/** Removed (the last 5,000 exact-only bases) and added (5,000 new bases): 10,000 changes. */
export const CHANGED = 5_000;
/** Policy hits are drawn from bases 0 .. STABLE-1, listed in both versions. */
export const STABLE = BASES - CHANGED;
export const IXFR_BATCHES = 10;
/** Stopzone's cache.maxEntries: filled before the load run (see warmAndRate). */
export const CACHE_ENTRIES = 10_000;
/** The first seconds of a load run are ramp-up, left out of "steady". */
export const STEADY_SKIP_S = 3;
/** dnsperf -t: a query unanswered for this long is lost. */
export const TIMEOUT_S = 5;
export const LOAD_AT_START = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
export const OUT_DIR = join(ROOT, 'bench', 'out');
/** This run's temporary directory (zones, configs, logs, dnsperf output), removed on exit. */
export const TMP = benchTmp('stopzone-reload-bench-');

for (const scenario of SCENARIOS) if (scenario !== 'file' && scenario !== 'ixfr') die(`unknown scenario "${scenario}" in BENCH_SCENARIOS; expected file and/or ixfr`);
if (NOTIFY_MODE !== 'once' && NOTIFY_MODE !== 'each') die(`BENCH_NOTIFY must be once or each, not "${NOTIFY_MODE}"`);
if (LOAD_SECONDS < CHANGE_AT + 40) console.log(`warning: BENCH_LOAD_SECONDS=${LOAD_SECONDS} leaves less than 40 s after the change: the RSS 30 s after the swap may be missing`);
