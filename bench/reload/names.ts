/** The reload benchmark's policy zone (two versions), dnsperf query files and the IXFR's nsupdate scripts. */
import { createWriteStream, writeFileSync } from 'node:fs';
import { prng } from '../../test/helpers/prng.js';
import { ADDR } from '../lib/processes.js';
import { FIXED_NAMES, fixedName } from '../lib/bench-upstream.js';
import { BASES, CHANGED, IXFR_BATCHES, PAIRS, STABLE, ZONE } from './settings.js';

const TLDS = ['com', 'net', 'org', 'info', 'xyz', 'ru', 'de', 'io', 'co.uk', 'com.br'];

/** Base name i: `site<i>.<tld>`, one in five one label deeper (`cdn.site<i>.<tld>`). */
export function base(i: number): string {
  return `${i % 5 === 0 ? 'cdn.' : ''}site${i}.${TLDS[i % TLDS.length]!}`;
}

/** Version 1: bases 0..BASES-1 (the first PAIRS also as wildcards). Version 2: the last CHANGED exact-only bases replaced by CHANGED new ones. */
export async function writeZone(path: string, serial: number, version: 1 | 2): Promise<void> {
  const out = createWriteStream(path);
  const write = (text: string): Promise<void> => (out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve())));
  await write(`$TTL 300\n@ SOA localhost. hostmaster.localhost. ${serial} 3600 600 86400 60\n@ NS localhost.\n`);
  let lines: string[] = [];
  const last = version === 1 ? BASES : STABLE;
  for (let i = 0; i < last; i++) {
    lines.push(`${base(i)} CNAME .`);
    if (i < PAIRS) lines.push(`*.${base(i)} CNAME .`);
    if (lines.length >= 50_000) {
      await write(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (version === 2) for (let i = BASES; i < BASES + CHANGED; i++) lines.push(`${base(i)} CNAME .`);
  await write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** `lines` queries: 85 % fixed names (cache hits), 10 % policy hits on stable triggers, 5 % unique misses named `<tag><n>.miss.bench.test`. */
export function writeQueries(path: string, lines: number, tag: string, seed: number): void {
  const random = prng(seed);
  const out: string[] = [];
  for (let n = 0; n < lines; n++) {
    const r = random();
    const type = random() < 0.5 ? 'A' : 'AAAA';
    if (r < 0.85) out.push(`${fixedName(Math.floor(random() * FIXED_NAMES) + 1)} ${type}`);
    else if (r < 0.95) out.push(random() < 0.6 ? `${base(Math.floor(random() * STABLE))} ${type}` : `q${n % 100}.${base(Math.floor(random() * PAIRS))} ${type}`);
    else out.push(`${tag}${n}.miss.bench.test ${type}`);
  }
  writeFileSync(path, `${out.join('\n')}\n`);
}

/** nsupdate messages of 1,000 changes each: 500 removals, 500 additions (10,000 changes in all). */
export function updateScripts(port: number): string[] {
  const per = CHANGED / IXFR_BATCHES;
  return Array.from({ length: IXFR_BATCHES }, (_, b) => {
    const lines = [`server ${ADDR} ${port}`, `zone ${ZONE}`];
    for (let i = 0; i < per; i++) lines.push(`update delete ${base(STABLE + b * per + i)}.${ZONE}. CNAME`);
    for (let i = 0; i < per; i++) lines.push(`update add ${base(BASES + b * per + i)}.${ZONE}. 300 CNAME .`);
    lines.push('send', '');
    return lines.join('\n');
  });
}
