/**
 * Scenario: load a 1,000,000-trigger QNAME policy zone (65 % exact names, 35 % `*.name` wildcards) with
 * loadPolicyZone (what the server runs), then look names up.
 *
 * Hypothesis (the target, 2-core machine): the zone is loaded and in force in at most 2 s, reader
 * included; the index holds at most 120 MiB of resident memory above an empty policy; a lookup takes well under
 * a microsecond. Baseline beside it: the figures others measured for the same job in PowerDNS Recursor, Knot
 * Resolver, BIND and Unbound (printed at the end; not re-measured here).
 *
 * Input: the QNAME owners of the corpus block lists (../shared/corpus, de-duplicated), topped up to 650,000
 * distinct names with variants of their first label (`v3-ads.example.com`); without the corpus (a user's
 * clone), synthetic names. Each of 350,000 names is listed as an exact + wildcard pair, as hagezi and oisd
 * do; the other 300,000 as exact names only. Written to os.tmpdir() as a zone with $TTL/SOA/NS and
 * `name CNAME .` lines, removed afterwards.
 *
 * Run: npx node --expose-gc --import ./test/helpers/ts-resolve.mjs bench/rpz-million.ts [triggers=1000000]
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyZone } from '../src/rpz/load-zone.js';
import type { NameIndex } from '../src/rpz/name-index.js';
import { prng } from '../test/helpers/prng.js';
import { millionZone, shuffle as shuffleWith, word as wordWith, writeMillionZone } from './lib/million-zone.js';

const TRIGGERS = Number(process.argv[2] ?? 1_000_000);
const ORIGIN = 'rpz.bench';
const SAMPLE = 50_000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
if ((globalThis as { gc?: unknown }).gc === undefined) console.log('warning: run with --expose-gc, or the memory figures include garbage');

const random = prng(20261123);
const zone = millionZone(TRIGGERS, random, (line) => console.log(line));
const { bases, pairs: PAIRS } = zone;
const BASES = bases.length;
const file = join(tmpdir(), `stopzone-rpz-million-${process.pid}.rpz`);
const bytes = await writeMillionZone(zone, file);
console.log(`zone: ${file}, ${(bytes / 1e6).toFixed(1)} MB, ${BASES + PAIRS} triggers (${BASES} exact, ${PAIRS} wildcard)`);

// Query names kept across the baseline, so they count as "empty policy". Wildcard hits are new labels below
// a paired name; misses are unlisted names and new labels below exact-only names (no wildcard there).
const queries = {
  exact: pick(bases, SAMPLE),
  wildcard: pick(bases.slice(0, PAIRS), SAMPLE).map((name, i) => `q${i}.${name}`),
  miss: pick(bases.slice(PAIRS), SAMPLE).map((name, i) => (i % 2 === 0 ? `m${i}.${name}` : `www.${word()}${i}.${name.slice(name.lastIndexOf('.') + 1)}`)),
};
for (const list of Object.values(queries)) list.forEach((name, i) => (list[i] = flat(name)));
bases.length = 0;

try {
  gc();
  gc();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const start = performance.now();
  const index = await load((rss) => (peakRss = Math.max(peakRss, rss)));
  const loadMs = performance.now() - start;
  const loaded = process.memoryUsage();
  gc();
  gc();
  const after = process.memoryUsage();
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(`load: ${index.size} triggers (${index.counts.exact} exact, ${index.counts.wildcard} wildcard) read and indexed in ${(loadMs / 1000).toFixed(2)} s`);
  console.log(`memory above the empty baseline: rss ${mib(after.rss - before.rss)} after gc (${mib(loaded.rss - before.rss)} before gc, peak ${mib(peakRss - before.rss)} while loading), heapUsed ${mib(after.heapUsed - before.heapUsed)} (heapTotal ${mib(after.heapTotal - before.heapTotal)}), arrayBuffers ${mib(after.arrayBuffers - before.arrayBuffers)}`);
  measure(index);
} finally {
  await rm(file, { force: true });
}
console.log('peers, 1M-trigger zone, measured by others: PowerDNS Recursor 2.5 s / 222 MiB, Knot Resolver 4.0 s / 212 MiB, BIND 10 s / 540 MiB, Unbound 11 s / 681 MiB');

/**
 * The server's own path: loadPolicyZone (reader, trigger and action decoding,
 * rule tables, indexes), the zone then in force as it would be in a PolicySet.
 */
async function load(sample: (rss: number) => void): Promise<NameIndex> {
  const timer = setInterval(() => sample(process.memoryUsage.rss()), 50);
  try {
    const zone = await loadPolicyZone(file, ORIGIN);
    console.log(`zone stats: ${JSON.stringify(zone.stats.triggers)} ${JSON.stringify(zone.stats.actions)}`);
    return zone.indexes.qname;
  } finally {
    clearInterval(timer);
  }
}

function measure(index: NameIndex): void {
  const mixed = shuffle([...queries.exact, ...queries.wildcard, ...queries.miss]);
  const outcome = { exact: 0, wildcard: 0, none: 0 };
  for (const name of mixed) {
    const match = index.lookup(name);
    outcome[match === null ? 'none' : match.wildcard ? 'wildcard' : 'exact']++;
  }
  console.log(`lookup outcomes for the ${mixed.length} query names: ${outcome.exact} exact, ${outcome.wildcard} wildcard, ${outcome.none} no match`);
  for (const [label, names] of [['exact hits', queries.exact], ['wildcard hits', queries.wildcard], ['misses', queries.miss], ['mix (1/3 each)', mixed]] as const) {
    let checksum = 0;
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 600) {
      for (const name of names) checksum += index.lookup(name)?.labels ?? 1;
      count += names.length;
      elapsed = performance.now() - start;
    }
    const perSecond = (count / elapsed) * 1000;
    console.log(`lookups, ${label.padEnd(14)} ${(perSecond / 1e6).toFixed(2)} M/s, ${(1e9 / perSecond).toFixed(0)} ns each (checksum ${checksum % 997})`);
  }
}

/** A flat copy, as a name decoded from a packet is (a concatenated string would be a rope until first read). */
function flat(name: string): string {
  return Buffer.from(name, 'latin1').toString('latin1');
}

function word(): string {
  return wordWith(random);
}

function pick(from: string[], n: number): string[] {
  return Array.from({ length: n }, () => from[Math.floor(random() * from.length)]!);
}

function shuffle<T>(array: T[]): T[] {
  return shuffleWith(array, random);
}
