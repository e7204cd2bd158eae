/**
 * Scenario: read a 1,000,000-record RPZ zone (~30 MB) with readZone and count the records.
 *
 * Hypothesis: the reader parses at least 1.25 M records/s (1 M records in under 0.8 s) on one core, so a
 * 1 M-record policy zone loads in well under 2 s including the policy engine after it. Baseline beside it:
 * node:readline over the same file with a whitespace split per line, the "obvious" reader, which does no
 * name canonicalisation, no parentheses and no error checks, so it is a floor, not a competitor.
 *
 * Input: the trigger lines of the biggest corpus file (hagezi-rpz-ultimate.mini.txt, 148,228 triggers) copied
 * 7 times with a distinct label per copy (`name.c3`), behind one $TTL/SOA/NS header, written to os.tmpdir().
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/zone-reader.ts [runs=5]
 */
import { createReadStream, existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readZone } from '../src/rpz/zone-reader.js';

const corpus = new URL('../../shared/corpus/hagezi-rpz-ultimate.mini.txt', import.meta.url);
if (!existsSync(corpus)) {
  console.log('../shared/corpus not present: nothing to measure');
  process.exit(0);
}
const runs = Number(process.argv[2] ?? 5);
const copies = 7;

const source = await readFile(corpus, 'utf8');
const triggers = source.split('\n').filter((line) => line !== '' && !line.startsWith(';') && !line.startsWith('$') && !line.startsWith('@') && !line.startsWith(' '));
const parts = ['$TTL 300\n@ SOA localhost. root.localhost. 1 43200 3600 86400 300\n  NS  localhost.\n'];
for (let copy = 0; copy < copies; copy++) {
  parts.push(triggers.map((line) => line.replace(' ', `.c${copy} `)).join('\n'), '\n');
}
const file = join(tmpdir(), `stopzone-bench-${process.pid}.rpz`);
const text = parts.join('');
await writeFile(file, text);
const expected = triggers.length * copies + 2;
console.log(`zone: ${file}, ${(text.length / 1e6).toFixed(1)} MB, ${expected} records`);

async function viaReadZone(): Promise<number> {
  let count = 0;
  await readZone(file, { origin: 'rpz.test' }, () => {
    count++;
  });
  return count;
}

async function viaReadline(): Promise<number> {
  let count = 0;
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '' || line.startsWith(';')) continue;
    if (line.split(/\s+/).length > 1) count++;
  }
  return count - 1; // the $TTL line
}

async function measure(name: string, read: () => Promise<number>): Promise<void> {
  const times: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const count = await read();
    times.push(performance.now() - start);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (count !== expected) throw new Error(`${name}: ${count} records, expected ${expected}`);
  }
  const first = times[0]!;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const best = times[0]!;
  const rate = (ms: number): string => `${((expected / ms) * 1000 / 1e6).toFixed(2)} M records/s`;
  console.log(`${name.padEnd(10)} median ${median.toFixed(0)} ms (${rate(median)}), best ${best.toFixed(0)} ms (${rate(best)}), first (cold) ${first.toFixed(0)} ms, peak rss ${(peak / 2 ** 20).toFixed(0)} MiB`);
}

try {
  await measure('readZone', viaReadZone);
  await measure('readline', viaReadline);
} finally {
  await rm(file, { force: true });
}
