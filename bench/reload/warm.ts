/**
 * Before a measured run: the cache warmed with the fixed names, the capacity measured once (the load is a share
 * of it), and the cache filled to its cap with unique names, so that the misses of the load run replace entries
 * instead of adding them (else the cache grows ~0.7 MiB/s at 11,000 qps and the RSS comparison measures the cache).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dnsperf } from '../lib/dnsperf.js';
import { ADDR } from '../lib/processes.js';
import { waitQuiet } from '../lib/quiet-machine.js';
import { fixedQueryLines } from '../lib/bench-upstream.js';
import { writeQueries } from './names.js';
import { CACHE_ENTRIES, CAPACITY_SECONDS, FIXED_RATE, LOAD_CPU, LOAD_SECONDS, LOAD_SHARE, TMP } from './settings.js';
import type { Stopzone } from './stopzone.js';

/** Measured by the first scenario, reused by the next; preset by BENCH_RATE. */
let capacity: number | null = FIXED_RATE === null ? null : FIXED_RATE / LOAD_SHARE;

const run = (label: string, args: string[]) => dnsperf({ label, cpu: LOAD_CPU, dir: TMP, args });

/** Warms and fills the cache; the load rate (qps), and the capacity when this run measured it (null with BENCH_RATE). */
export async function warmAndRate(stopzone: Stopzone, scenario: string): Promise<{ rate: number; capacity: number | null }> {
  const target = ['-s', ADDR, '-p', String(stopzone.port), '-n', '1'];
  const fixed = join(TMP, 'fixed.txt');
  if (!existsSync(fixed)) writeFileSync(fixed, `${fixedQueryLines().join('\n')}\n`);
  await run(`${scenario}-warm`, [...target, '-d', fixed, '-c', '1', '-q', '20', '-l', '10']);
  if (capacity === null) {
    await waitQuiet(`${scenario} capacity run`);
    const file = join(TMP, 'capacity.txt');
    writeQueries(file, Math.max(CAPACITY_SECONDS, 1) * 150_000, 'c', 1);
    const result = await run(`${scenario}-capacity`, [...target, '-d', file, '-c', '4', '-q', '200', '-l', String(CAPACITY_SECONDS), '-t', '2']);
    if (result.text.includes('end of file')) console.log('warning: the capacity run got through its whole query file: the capacity is higher than measured');
    capacity = result.qps;
    console.log(`${scenario}: capacity ${result.qps.toFixed(0)} qps (dnsperf -c 4 -q 200 -l ${CAPACITY_SECONDS}, lost ${result.lost}); load at ${LOAD_SHARE} of it`);
  }
  const fill = join(TMP, `fill-${scenario}.txt`);
  writeFileSync(fill, `${Array.from({ length: CACHE_ENTRIES * 1.2 }, (_, i) => `f${i}.${scenario}.miss.bench.test A`).join('\n')}\n`);
  await run(`${scenario}-fill`, [...target, '-d', fill, '-c', '1', '-q', '50', '-l', '20']);
  await run(`${scenario}-warm2`, [...target, '-d', fixed, '-c', '1', '-q', '20', '-l', '10']);
  return { rate: Math.round(capacity * LOAD_SHARE), capacity: FIXED_RATE === null ? capacity : null };
}

/** The load run's query file: enough lines for the run at `rate`, seeded per scenario. */
export function loadQueries(scenario: string, rate: number): string {
  const file = join(TMP, `queries-${scenario}.txt`);
  writeQueries(file, Math.ceil(rate * (LOAD_SECONDS + 5) * 1.05), scenario === 'file' ? 'a' : 'b', scenario === 'file' ? 2 : 3);
  return file;
}
