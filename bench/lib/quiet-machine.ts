/**
 * A benchmark's figures mean something only on a quiet machine: this waits for one before a measurement, and
 * keeps notes, for the report, of the times it did not get one. Knob: BENCH_QUIET_WAIT=60 (seconds to wait).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const QUIET_WAIT_S = Number(process.env.BENCH_QUIET_WAIT ?? 60);

/** Notes on how busy the machine was, for the report ("...: figures disturbed"). */
export const disturbances: string[] = [];

/** Busy clock ticks since boot of the CPUs listed ("1", "0,1"), from /proc/stat. */
export function cpuBusyTicks(cpus: string): number {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  let busy = 0;
  for (const cpu of cpus.split(',')) {
    const line = lines.find((l) => l.startsWith(`cpu${cpu} `)) ?? '';
    const [, ...values] = line.trim().split(/\s+/).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    busy += total - (values[3] ?? 0) - (values[4] ?? 0);
  }
  return busy;
}

/** Waits (at most BENCH_QUIET_WAIT seconds) until both CPUs are at most 15 % busy over 2 s, while nothing of ours runs a load. */
export async function waitQuiet(what: string): Promise<void> {
  const started = Date.now();
  let busy = [NaN, NaN];
  do {
    const before = [cpuBusyTicks('0'), cpuBusyTicks('1')];
    await sleep(2000);
    busy = [cpuBusyTicks('0') - before[0]!, cpuBusyTicks('1') - before[1]!].map((ticks) => ticks / 2);
    if (busy.every((b) => b <= 15)) {
      if (Date.now() - started > 2500) console.log(`${what}: the machine was busy; waited ${((Date.now() - started) / 1000).toFixed(0)} s for it to calm down`);
      return;
    }
  } while (Date.now() - started < QUIET_WAIT_S * 1000);
  const note = `${what}: other processes kept the CPUs busy (${busy.map((b) => `${b.toFixed(0)} %`).join(' and ')}) after ${QUIET_WAIT_S} s of waiting: figures disturbed`;
  console.log(`warning: ${note}`);
  disturbances.push(note);
}
