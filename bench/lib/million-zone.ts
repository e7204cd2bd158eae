/**
 * The 1,000,000-trigger QNAME policy zone the benchmarks load (rpz-million.ts, compass.ts): 65 % of the triggers
 * are exact names, 35 % `*.name` wildcards over a subset of the same names (each such name listed as an exact +
 * wildcard pair, as hagezi and oisd do). Names: the QNAME owners of the corpus block lists (../shared/corpus,
 * de-duplicated), topped up with variants of their first label (`v3-ads.example.com`); without the corpus (a
 * user's clone), synthetic names. The file has $TTL/SOA/NS and `name CNAME .` lines (NXDOMAIN), names relative
 * to the zone's origin, so that Stopzone and Unbound read the very same file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Share of the triggers that are wildcards (each over a name also listed exactly). */
export const WILDCARD_SHARE = 0.35;

/** The zone's names: `bases` (shuffled; every one an exact trigger), of which the first `pairs` also have a wildcard. */
export interface MillionZone {
  readonly bases: string[];
  readonly pairs: number;
}

/** The names of a zone of `triggers` triggers, drawn with `random` (a seeded prng); `say` prints where they came from. */
export function millionZone(triggers: number, random: () => number, say: (line: string) => void): MillionZone {
  const pairs = Math.round(triggers * WILDCARD_SHARE);
  return { bases: shuffle(names(triggers - pairs, random, say), random), pairs };
}

/** Writes the zone to `file`; returns its size in bytes. */
export async function writeMillionZone(zone: MillionZone, file: string): Promise<number> {
  const lines = ['$TTL 300', '@ SOA localhost. root.localhost. 1 43200 3600 86400 300', '  NS  localhost.'];
  zone.bases.forEach((name, i) => {
    lines.push(`${name} CNAME .`);
    if (i < zone.pairs) lines.push(`*.${name} CNAME .`);
  });
  const text = `${lines.join('\n')}\n`;
  await writeFile(file, text);
  return text.length;
}

/** `count` distinct owner names: the corpus's QNAME owners, then variants of their first label; or synthetic. */
function names(count: number, random: () => number, say: (line: string) => void): string[] {
  const corpus = new URL('../../../shared/corpus/', import.meta.url);
  const seen = new Set<string>();
  if (existsSync(corpus)) {
    for (const entry of readdirSync(corpus)) {
      if (!/^(hagezi-rpz-(light|ultimate\.mini|nsfw|nosafesearch)\.txt|oisd-small\.rpz|urlhaus-hostfile\.rpz)$/.test(entry)) continue;
      for (const line of readFileSync(fileURLToPath(new URL(entry, corpus)), 'utf8').split('\n')) {
        const end = line.search(/[ \t]/);
        const owner = end < 0 ? '' : line.slice(0, end);
        if (owner === '' || /^[;$@*]/.test(owner)) continue;
        seen.add(owner.toLowerCase().replace(/\.$/, ''));
      }
    }
    say(`names: ${seen.size} distinct QNAME owners from ../shared/corpus`);
  } else {
    say('names: ../shared/corpus not present, synthetic names only');
    const tlds = ['com', 'net', 'org', 'de', 'ru', 'info', 'xyz', 'co.uk', 'com.br', 'xn--p1ai'];
    while (seen.size < Math.min(count, 200_000)) {
      const sub = random() < 0.4 ? `${['www', 'ads', 'cdn', 'api', 'track', 'm'][Math.floor(random() * 6)]!}.` : '';
      seen.add(`${sub}${word(random)}${random() < 0.3 ? `-${word(random)}` : ''}.${tlds[Math.floor(random() * tlds.length)]!}`);
    }
  }
  const originals = [...seen];
  for (let copy = 1; seen.size < count; copy++) {
    const prefix = `v${copy}-`;
    for (const name of originals) {
      if (seen.size >= count) break;
      const first = name.indexOf('.');
      if (prefix.length + (first < 0 ? name.length : first) <= 63) seen.add(prefix + name);
    }
  }
  return [...seen].slice(0, count);
}

/** A pronounceable made-up label of 2-4 syllables. */
export function word(random: () => number): string {
  const syllables = ['ka', 'lo', 'mi', 'net', 'ad', 'tra', 'ck', 'ser', 'vo', 'pix', 'el', 'stat', 'go', 'bet', 'cas', 'ino'];
  let out = '';
  const n = 2 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) out += syllables[Math.floor(random() * syllables.length)]!;
  return out;
}

/** Shuffles `array` in place (Fisher-Yates) and returns it. */
export function shuffle<T>(array: T[], random: () => number): T[] {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [array[i], array[j]] = [array[j]!, array[i]!];
  }
  return array;
}
