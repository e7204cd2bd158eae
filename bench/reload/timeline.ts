/** Second-by-second and quarter-second views of a measured run, and the checks that tell a disturbed run. */
import { ms, percentiles, type Responses } from '../lib/dnsperf.js';
import type { Sampler } from '../lib/sampler.js';

/** Around the swap, 250 ms steps: responses, p99 and max of the queries sent in the step, RSS, CPU, the main thread's wait. */
export function swapTimeline(responses: Responses, sampler: Sampler, changeAt: number, from: number, to: number): string[] {
  const lines = ['  t (s from change)  sent   p99 ms   max ms   lost   RSS MiB   CPU % (Stopzone / others on its CPU)   main thread waited for the CPU (ms)'];
  for (let t = from; t < to; t += 250) {
    const p = percentiles(responses, t, t + 250);
    const cpu = sampler.cpu(t - 125, t + 375);
    const samples = sampler.between(t - 125, t + 375);
    const mem = samples.length > 0 ? samples[samples.length - 1]!.rssKiB / 1024 : NaN;
    const cpuLine = `${cpu.self.toFixed(0).padStart(7)} / ${cpu.others.toFixed(0)}`;
    lines.push(
      `  ${((t - changeAt) / 1000).toFixed(2).padStart(8)}  ${String(p.n).padStart(12)} ${ms(p.p99).padStart(8)} ${ms(p.max).padStart(8)} ${String(p.lost).padStart(6)} ${mem.toFixed(0).padStart(9)} ${cpuLine.padEnd(39)} ${ms(sampler.mainWaitMs(t - 125, t + 375))}`,
    );
  }
  return lines;
}

/** The whole run, second by second (written to bench/out). */
export function series(responses: Responses, sampler: Sampler, changeAt: number, from: number, to: number): string[] {
  const lines = ['t (s from the change)  sent  p50 ms  p99 ms  max ms  lost  RSS MiB  CPU % (Stopzone / others)'];
  for (let t = from; t < to; t += 1000) {
    const p = percentiles(responses, t, t + 1000);
    const cpu = sampler.cpu(t, t + 1000);
    const samples = sampler.between(t, t + 1000);
    const mem = samples.length > 0 ? samples[samples.length - 1]!.rssKiB / 1024 : NaN;
    lines.push(`${((t - changeAt) / 1000).toFixed(1).padStart(6)} ${String(p.n).padStart(6)} ${ms(p.p50).padStart(7)} ${ms(p.p99).padStart(7)} ${ms(p.max).padStart(7)} ${String(p.lost).padStart(5)} ${mem.toFixed(0).padStart(8)} ${cpu.self.toFixed(0).padStart(5)} / ${cpu.others.toFixed(0)}`);
  }
  return lines;
}

/**
 * The same measure without a swap: the p99 of every window as long as the swap window, outside it (before, then
 * after). How far these stray from the steady p99 tells how much of a swap's ratio this machine's noise alone could make.
 */
export function quietWindows(responses: Responses, length: number, ranges: ReadonlyArray<readonly [number, number]>): number[] {
  const p99s: number[] = [];
  for (const [from, to] of ranges) for (let t = from; t + length <= to; t += length) p99s.push(percentiles(responses, t, t + length).p99);
  return p99s;
}

/**
 * Seconds in [from, to) in which dnsperf sent more than 25 % off `rate`. A pause of the whole virtual machine
 * takes no CPU from Stopzone that /proc/stat shows: dnsperf falls behind its rate, then sends the backlog in one
 * burst (22,000-26,000 queries in a second at 17,000 qps, and 1,190 lost to the full socket buffer, in one run).
 */
export function secondsOffRate(responses: Responses, rate: number, from: number, to: number): number {
  let seconds = 0;
  for (let t = from; t + 1000 <= to; t += 1000) if (Math.abs(percentiles(responses, t, t + 1000).n / rate - 1) > 0.25) seconds++;
  return seconds;
}
