/**
 * Scenario: a 1,000,000-trigger policy zone is replaced while Stopzone answers a steady load (issue 5), two ways
 * (bench/reload/scenario-file.ts: a watched zone file renamed over; bench/reload/scenario-ixfr.ts: 10,000 changes
 * by IXFR from a BIND primary).
 *
 * Hypothesis (the goal): while dnsperf sends half of the measured capacity, the swap loses no query,
 * the p99 latency of queries sent during the swap is at most twice the steady p99, and 30 s after the swap the
 * resident memory is back within 10 % of the steady level. Baseline: the same run's steady phase before the change.
 *
 * Layout (2 CPUs): Stopzone alone on CPU 1 (`node dist/cli/main.js serve` as npm start runs it, a separate
 * process, so its RSS is its own); dnsperf, NSD (the loopback upstream), BIND, nsupdate and this script on CPU 0.
 * Every socket is on 127.0.0.1; Stopzone's only upstream is the local NSD. Every process started here is killed
 * on exit, failure or Ctrl-C; the temporary directory is removed.
 *
 * Query mix (each line of dnsperf's input, seeded): 85 % one of 300 fixed names x A/AAAA (cache hits after a
 * warm-up), 10 % names listed in both versions of the zone (policy hits: 60 % exact triggers, 40 % below a
 * wildcard trigger; NXDOMAIN by policy, never cached, one block-log line each), 5 % unique names forwarded
 * to NSD (cache misses; the cache is capped at 10,000 answers and filled first, so that its size, and Stopzone's
 * memory, are steady). dnsperf -v prints each response's latency; each query is dated by its send time
 * (arrival - latency) to split the run into phases.
 *
 * Run: npm run bench:reload   (how to run it, its knobs and the current figures: bench/README.md)
 * Needs the Debian packages nsd, bind9, bind9-dnsutils (dig, nsupdate), dnsperf and util-linux (taskset).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchNsd } from './lib/bench-upstream.js';
import { need, pinSelf, stopOnSignal } from './lib/processes.js';
import { buildUnlessSkipped } from './lib/stopzone-launch.js';
import type { Result } from './reload/measure.js';
import { render } from './reload/render.js';
import { scenarioFile } from './reload/scenario-file.js';
import { scenarioIxfr } from './reload/scenario-ixfr.js';
import { LOAD_CPU, OUT_DIR, SCENARIOS, TMP } from './reload/settings.js';

async function main(): Promise<void> {
  need('taskset', 'util-linux');
  need('dnsperf', 'dnsperf');
  need('dig', 'bind9-dnsutils');
  need('nsd', 'nsd');
  if (SCENARIOS.includes('ixfr')) {
    need('named', 'bind9');
    need('nsupdate', 'bind9-dnsutils');
  }
  // This script, dnsperf and the peers share CPU 0; Stopzone has CPU 1 to itself.
  pinSelf(LOAD_CPU);
  buildUnlessSkipped();
  mkdirSync(OUT_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

  const nsd = await startBenchNsd();
  stopOnSignal(nsd.stop);
  console.log(`NSD ready on ${nsd.hostPort} (CPU ${LOAD_CPU}): bench.test and a root wildcard`);
  const results: Result[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const result = scenario === 'file' ? await scenarioFile(nsd.hostPort) : await scenarioIxfr(nsd.hostPort);
      results.push(result);
      writeFileSync(join(OUT_DIR, `${stamp}-reload-${scenario}-dnsperf.txt`), result.summary.text);
      writeFileSync(join(OUT_DIR, `${stamp}-reload-${scenario}-series.txt`), `${result.series.join('\n')}\n`);
      for (const suffix of ['-axfr', '']) {
        const file = join(TMP, `stopzone-${scenario}${suffix}.log`);
        if (!existsSync(file)) continue;
        // Stopzone's own lines, and any trace that BENCH_NODE_FLAGS asked V8 for (--trace-gc); not the block log.
        const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"name":"stopzone"') || (l !== '' && !l.startsWith('{')));
        writeFileSync(join(OUT_DIR, `${stamp}-reload-${scenario}${suffix}-stopzone.log`), `${lines.join('\n')}\n`);
      }
    }
  } finally {
    await nsd.stop();
  }
  const report = render(results);
  console.log(report);
  writeFileSync(join(OUT_DIR, `${stamp}-reload-summary.txt`), `${report}\n`);
  console.log(`written: bench/out/${stamp}-reload-*`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
