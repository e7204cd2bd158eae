/**
 * The query mixes, as dnsperf input files (the same file for both servers; seeded, so every run can be replayed):
 * cached names (the fixed names of the upstream, answered from the cache once warmed), policy hits (half an exact
 * trigger, half a new label below a wildcard trigger), and unique names forwarded to NSD (never asked before by
 * either server: each file has its own tag). A and AAAA alike.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { prng } from '../../test/helpers/prng.js';
import { FIXED_NAMES, fixedName } from '../lib/bench-upstream.js';
import type { MillionZone } from '../lib/million-zone.js';

/** A query mix: the share of cached names and of policy hits; the rest are unique misses. */
export interface Mix {
  readonly cached: number;
  readonly policy: number;
  /** For the report. */
  readonly text: string;
}

/** Today's forwarder benchmark (forwarder-vs-unbound.sh): 90 % cached names, 10 % unique misses. */
export const FORWARDER_MIX: Mix = { cached: 0.9, policy: 0, text: '90 % cached names, 10 % unique misses' };
/** Cache hits alone, after the warm-up. */
export const HITS_MIX: Mix = { cached: 1, policy: 0, text: '100 % cached names' };
/** Policy hits alone (opt-in workload "policy"): what one policy answer costs, with its block-log event. */
export const POLICY_MIX: Mix = { cached: 0, policy: 1, text: '100 % policy hits (half exact, half below wildcards)' };
/** Unique misses alone (opt-in workload "misses"): what one forwarded query costs. */
export const MISSES_MIX: Mix = { cached: 0, policy: 0, text: '100 % unique misses' };
/** The compass: what a school's resolver with a large block list sees. */
export const COMPASS_MIX: Mix = { cached: 0.7, policy: 0.2, text: '70 % cached names, 20 % policy hits (half exact, half below wildcards), 10 % unique misses' };

/** A policy hit: an exact trigger's name, or (wildcard) a new label below a name listed with a wildcard. */
export function policyName(zone: MillionZone, random: () => number, wildcard: boolean, n: number): string {
  return wildcard ? `q${n % 100}.${zone.bases[Math.floor(random() * zone.pairs)]!}` : zone.bases[Math.floor(random() * zone.bases.length)]!;
}

/** Writes `lines` queries of `mix` to `path`; the unique names are `<tag><n>.miss.bench.test`. */
export function writeMix(path: string, mix: Mix, lines: number, tag: string, seed: number, zone: MillionZone | null): void {
  if (mix.policy > 0 && zone === null) throw new Error('writeMix: a mix with policy hits needs the zone');
  const random = prng(seed);
  const fd = openSync(path, 'w');
  try {
    let chunk: string[] = [];
    for (let n = 0; n < lines; n++) {
      const r = random();
      const type = random() < 0.5 ? 'A' : 'AAAA';
      if (r < mix.cached) chunk.push(`${fixedName(Math.floor(random() * FIXED_NAMES) + 1)} ${type}`);
      else if (r < mix.cached + mix.policy) chunk.push(`${policyName(zone!, random, random() < 0.5, n)} ${type}`);
      else chunk.push(`${tag}${n}.miss.bench.test ${type}`);
      if (chunk.length === 50_000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}
