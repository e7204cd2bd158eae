import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readZone } from '../../src/rpz/zone-reader.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';

const corpus = new URL('../../../shared/corpus/', import.meta.url);
// A user's clone has no ../shared: skip, do not fail (CI has it: there a missing corpus fails).
const skip = skipWhenMissing(!existsSync(corpus), '../shared/corpus not present');

// Expected counts, derived once outside Stopzone with awk on the corpus files (none of them uses parentheses or
// multi-line records):
//   records: awk '!/^[ \t]*(;|$)/ && !/^\$/' FILE | wc -l   (lines that are neither blank, comment nor directive)
//   lines:   awk 'END { print NR }' FILE
// They agree with ../shared/corpus/README.md: records = triggers + SOA + NS (mypdns: 205 + 2 SOA + 2 NS).
const files: Array<{ file: string; origin: string; records: number; lines: number; soa: number }> = [
  { file: 'hagezi-rpz-light.txt', origin: 'rpz.test', records: 86828, lines: 86842, soa: 1 },
  { file: 'hagezi-rpz-ultimate.mini.txt', origin: 'rpz.test', records: 148230, lines: 148244, soa: 1 },
  { file: 'hagezi-rpz-nsfw.txt', origin: 'rpz.test', records: 153326, lines: 153340, soa: 1 },
  { file: 'hagezi-rpz-nosafesearch.txt', origin: 'rpz.test', records: 358, lines: 372, soa: 1 },
  { file: 'hagezi-rpz-tif-ips.txt', origin: 'rpz.test', records: 44533, lines: 44535, soa: 1 },
  { file: 'oisd-small.rpz', origin: 'rpz.test', records: 85034, lines: 85058, soa: 1 },
  { file: 'urlhaus-hostfile.rpz', origin: 'rpz.test', records: 1022, lines: 1045, soa: 1 },
  { file: 'mypdns-safesearch.rpz', origin: 'safesearch.mypdns.cloud', records: 209, lines: 209, soa: 2 },
];

t.test('every corpus file reads completely', { skip }, async (t) => {
  for (const row of files) {
    const path = fileURLToPath(new URL(row.file, corpus));
    const types = new Map<string, number>();
    let outOfZone = 0;
    const stats = await readZone(path, { origin: row.origin }, (r) => {
      types.set(r.type, (types.get(r.type) ?? 0) + 1);
      if (r.outOfZone) outOfZone++;
    });
    t.same({ records: stats.records, lines: stats.lines, files: stats.files }, { records: row.records, lines: row.lines, files: [path] }, row.file);
    t.equal(types.get('SOA'), row.soa, `${row.file}: SOA records`);
    t.equal(outOfZone, 0, `${row.file}: no owner outside ${row.origin}`);
  }
});

t.test('the SOA serials that BIND refuses pass through as written', { skip }, async (t) => {
  for (const [file, serial] of [
    ['oisd-small.rpz', '20250715196'],
    ['urlhaus-hostfile.rpz', '20250715267'],
  ] as const) {
    const serials: string[] = [];
    await readZone(fileURLToPath(new URL(file, corpus)), { origin: 'rpz.test' }, (r) => {
      if (r.type === 'SOA') serials.push(r.rdata[2]!);
    });
    t.same(serials, [serial], file);
  }
});

t.test('the AXFR-style dump under another zone name is all out of zone', { skip }, async (t) => {
  let outOfZone = 0;
  const stats = await readZone(fileURLToPath(new URL('mypdns-safesearch.rpz', corpus)), { origin: 'rpz.test' }, (r) => {
    if (r.outOfZone) outOfZone++;
  });
  t.equal(outOfZone, stats.records);
  t.equal(stats.records, 209);
});
