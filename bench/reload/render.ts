/** The reload benchmark's report: per scenario, the phases, the swap, the memory, and the three goals met or not. */
import { mib, ms } from '../lib/dnsperf.js';
import { disturbances } from '../lib/quiet-machine.js';
import { launchLine } from '../lib/stopzone-launch.js';
import type { Result } from './measure.js';
import { LOAD_AT_START, LOAD_CPU, LOAD_SHARE, NOTIFY_MODE, SERVER_CPU } from './settings.js';

/** The report's text (printed, and written to bench/out/<stamp>-reload-summary.txt). */
export function render(results: Result[]): string {
  const lines: string[] = ['', `== 1,000,000-trigger zone replaced under load (Stopzone on CPU ${SERVER_CPU}; dnsperf, NSD, BIND on CPU ${LOAD_CPU}) ==`];
  lines.push(`${new Date().toISOString()}, node ${process.version}, load average at the start ${LOAD_AT_START}`);
  lines.push('mix: 85 % cached names, 10 % policy hits (NXDOMAIN), 5 % unique misses to NSD; dnsperf -c 4 -q 60000 -t 5 -Q <rate>');
  lines.push(`Stopzone runs as: ${launchLine()}`);
  for (const r of results) {
    const s = r.summary;
    lines.push('', `-- ${r.scenario === 'file' ? 'full reload of a watched zone file' : `IXFR of 10,000 changes from BIND (NOTIFY ${NOTIFY_MODE})`} --`);
    lines.push(`rate ${r.rate} qps (${r.capacity === null ? 'BENCH_RATE' : `${LOAD_SHARE} x capacity ${r.capacity.toFixed(0)} qps`}); sent ${s.sent}, completed ${s.completed}, lost ${s.lost}; ${s.rcodes}`);
    lines.push('  phase (queries by send time)              queries   lost   p50 ms   p99 ms  p99.9 ms   max ms');
    for (const [name, p] of r.phases) {
      lines.push(`  ${name.padEnd(40)} ${String(p.n).padStart(9)} ${String(p.lost).padStart(6)} ${ms(p.p50).padStart(8)} ${ms(p.p99).padStart(8)} ${ms(p.p999).padStart(9)} ${ms(p.max).padStart(8)}`);
    }
    lines.push(`  swap time: ${(r.swapMs / 1000).toFixed(2)} s from the change to the new version in force (${r.loadMs} ms of it in Stopzone's attempt: ${r.transfer}); ${r.swaps} swap(s)`);
    lines.push(`  RSS: before ${mib(r.rssBefore)}, peak during the swap ${mib(r.rssPeak)}, 30 s after ${mib(r.rssAfter)}`);
    for (const check of r.checks) lines.push(`  ${check}`);
    for (const extra of r.extra) lines.push(`  ${extra}`);
    const ratio = r.swap.p99 / r.steady.p99;
    const rssRatio = r.rssAfter === null ? NaN : r.rssAfter / r.rssBefore;
    lines.push(`  goal: nothing lost ............................ ${s.lost === 0 ? 'met' : `NOT met (${s.lost} lost)`}`);
    lines.push(`  goal: p99 during the swap <= 2 x steady p99 ... ${ratio <= 2 ? 'met' : 'NOT met'} (${ms(r.swap.p99)} ms vs ${ms(r.steady.p99)} ms: ${ratio.toFixed(1)} x)`);
    const quiet = r.quietWindows.map((p99) => `${ms(p99)} ms (${(p99 / r.steady.p99).toFixed(1)} x)`).join(', ');
    lines.push(`      windows as long as the swap, without one (before, then after it): p99 ${quiet || 'none fit'}`);
    lines.push(`  goal: RSS 30 s after within 10 % of steady .... ${rssRatio <= 1.1 ? 'met' : 'NOT met'} (${mib(r.rssAfter)} vs ${mib(r.rssBefore)}: ${rssRatio >= 1 ? '+' : ''}${((rssRatio - 1) * 100).toFixed(0)} %)`);
  }
  for (const note of disturbances) lines.push(`warning: ${note}`);
  return lines.join('\n');
}
