import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { compileFilter } from '../../src/observe/report/filters.js';
import { fileSource, type LineSource } from '../../src/observe/report/read-lines.js';
import { CSV_HEADER, renderCsv, renderJson } from '../../src/observe/report/render-json-csv.js';
import { renderText } from '../../src/observe/report/render-text.js';
import { runReport } from '../../src/observe/report/run-report.js';
import { parseTimeBound } from '../../src/observe/report/parse-time.js';
import { eventLine, SAMPLE } from '../helpers/block-log-sample.js';

const dir = mkdtempSync(join(tmpdir(), 'stopzone-report-'));
const plain = join(dir, 'blocks.log');
writeFileSync(plain, SAMPLE);
// Named without .gz: gzip is told by its magic bytes.
const gzipped = join(dir, 'blocks.log.1');
writeFileSync(gzipped, gzipSync(SAMPLE));
const stream = (text: string, chunk = 7): LineSource => ({
  name: 'stdin',
  // Small chunks: lines, and the gzip magic, arrive split.
  open: () => Readable.from(Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) => Buffer.from(text.slice(i * chunk, (i + 1) * chunk)))),
});
const NOW = Date.parse('2026-11-23T12:00:00Z');

t.test('totals over a plain file, a gzip file and a stream: events by kind, skipped lines, span', async (t) => {
  const data = await runReport([fileSource(plain), fileSource(gzipped), stream(SAMPLE)]);
  t.same(data.totals, { lines: 66, blocked: 39, wouldBlock: 6, passthru: 3, skipped: 18, filteredOut: 0 });
  t.same(data.span, { first: '2026-11-23T08:00:00.000Z', last: '2026-11-23T11:10:00.000Z' });
  t.same(data.warnings, []);
});

t.test('top names and clients, per zone, action, trigger and hour', async (t) => {
  const data = await runReport([fileSource(plain)], { top: 3 });
  t.same(data.names, {
    top: [
      { key: 'ads.example.com', count: 5, overcount: 0 },
      { key: 'track.ads.example.com', count: 3, overcount: 0 },
      { key: 'evil.test', count: 2, overcount: 0 },
    ],
    distinct: 6,
    exact: true,
  });
  t.same(data.clients.top.map((c) => [c.key, c.count]), [['192.0.2.1', 6], ['192.0.2.2', 3], ['2001:db8::5', 2]]);
  t.same(data.zones, [
    { zone: 'ads.rpz', list: 'ads', blocked: 10, wouldBlock: 0 },
    { zone: 'malware.rpz', list: 'malware', blocked: 3, wouldBlock: 0 },
    { zone: 'trial.rpz', list: 'trial', blocked: 0, wouldBlock: 2 },
  ]);
  t.same(data.actions, [{ key: 'nxdomain', count: 10 }, { key: 'stop-page', count: 2 }, { key: 'drop', count: 1 }]);
  t.same(data.triggers, [{ key: 'qname', count: 10 }, { key: 'nsdname', count: 2 }, { key: 'ip', count: 1 }]);
  t.same(data.hours, [
    { hour: '2026-11-23T08:00Z', count: 5 },
    { hour: '2026-11-23T09:00Z', count: 3 },
    { hour: '2026-11-23T10:00Z', count: 3 },
    { hour: '2026-11-23T11:00Z', count: 2 },
  ]);
});

const filterRows: Array<{ name: string; filters: Parameters<typeof runReport>[1] extends infer O ? O extends { filters?: infer F } ? F : never : never; blocked: number; wouldBlock?: number; passthru?: number }> = [
  { name: 'since a time (UTC)', filters: { since: parseTimeBound('2026-11-23T09:00', NOW) }, blocked: 8, wouldBlock: 2, passthru: 0 },
  { name: 'until a time, exclusive', filters: { until: parseTimeBound('2026-11-23T10:00', NOW) }, blocked: 8, wouldBlock: 2, passthru: 1 },
  { name: 'since 2h before now', filters: { since: parseTimeBound('2h', NOW) }, blocked: 5 },
  { name: 'until a date: the whole day', filters: { until: parseTimeBound('2026-11-23', NOW, true) }, blocked: 13 },
  { name: 'until the day before', filters: { until: parseTimeBound('2026-11-22', NOW, true) }, blocked: 0 },
  { name: 'client prefix', filters: { clients: ['192.0.2.0/24'] }, blocked: 9, wouldBlock: 2 },
  { name: 'client address inside a truncated client', filters: { clients: ['198.51.100.7'] }, blocked: 1 },
  { name: 'IPv6 prefix', filters: { clients: ['2001:db8::/32'] }, blocked: 2 },
  { name: 'client hash, literally', filters: { clients: ['a1b2c3d4e5f60718'] }, blocked: 1 },
  { name: 'two clients', filters: { clients: ['192.0.2.2', '2001:db8::5'] }, blocked: 5 },
  { name: 'zone by name', filters: { zones: ['malware.rpz'] }, blocked: 3 },
  { name: 'zone by list name', filters: { zones: ['ads'] }, blocked: 10 },
  { name: 'name and below', filters: { names: ['example.com'] }, blocked: 8 },
  { name: 'a name below', filters: { names: ['track.ads.example.com'] }, blocked: 3 },
  { name: 'name case and trailing dot ignored', filters: { names: ['CASE.test.'] }, blocked: 1 },
  { name: 'name only at a label boundary', filters: { names: ['xample.com'] }, blocked: 0 },
  { name: 'filters combine', filters: { zones: ['ads.rpz'], clients: ['192.0.2.1'], since: parseTimeBound('2026-11-23T11:00', NOW) }, blocked: 1 },
];

t.test('each filter', async (t) => {
  for (const row of filterRows) {
    const data = await runReport([fileSource(plain)], { filters: row.filters });
    t.equal(data.totals.blocked, row.blocked, `${row.name}: blocked`);
    if (row.wouldBlock !== undefined) t.equal(data.totals.wouldBlock, row.wouldBlock, `${row.name}: would block`);
    if (row.passthru !== undefined) t.equal(data.totals.passthru, row.passthru, `${row.name}: passthru`);
    t.equal(data.totals.skipped, 6, `${row.name}: skipped lines are not "outside the filters"`);
    t.equal(data.totals.filteredOut, 16 - row.blocked - data.totals.wouldBlock - data.totals.passthru, `${row.name}: outside the filters`);
  }
  t.throws(() => compileFilter({ clients: ['192.0.2.0/33'] }), /--client "192\.0\.2\.0\/33" is not a CIDR prefix/);
});

t.test('time bounds: relative, dates, times, offsets; a bad one names the forms', async (t) => {
  const rows: Array<[string, boolean, string]> = [
    ['24h', false, '2026-11-22T12:00:00.000Z'],
    ['30m', false, '2026-11-23T11:30:00.000Z'],
    ['7d', false, '2026-11-16T12:00:00.000Z'],
    ['2026-11-23', false, '2026-11-23T00:00:00.000Z'],
    ['2026-11-23', true, '2026-11-24T00:00:00.000Z'],
    ['2026-11-23T08:00', true, '2026-11-23T08:00:00.000Z'],
    ['2026-11-23 08:00:30', false, '2026-11-23T08:00:30.000Z'],
    ['2026-11-23T08:00+01:00', false, '2026-11-23T07:00:00.000Z'],
  ];
  for (const [text, endOfDay, want] of rows) t.equal(new Date(parseTimeBound(text, NOW, endOfDay)).toISOString(), want, text);
  t.throws(() => parseTimeBound('yesterday', NOW), /"yesterday" is not a time; expected 24h/);
  t.throws(() => parseTimeBound('2026-13-45', NOW), /not a time/);
});

t.test('text: totals, top lists, zones with their list, and the hourly chart', async (t) => {
  const text = renderText(await runReport([fileSource(plain)]));
  t.match(text, /^Block log report: 2026-11-23 08:00:00Z to 2026-11-23 11:10:00Z \(3 h 10 min\)\n/);
  t.match(text, /blocked\s+13\n\s+would block\s+2\n\s+passthru\s+1\n\s+6 of 22 lines were not block events/);
  t.match(text, /Top 10 blocked names \(of 6 distinct\)\n\s+5  ads\.example\.com\n\s+3  track\.ads\.example\.com/);
  t.match(text, /we"ird\.test/);
  t.match(text, /malware\.rpz\s+malware\s+3/);
  t.match(text, /Blocks per hour \(UTC\)\n  2026-11-23 08:00  #{40}  5\n  2026-11-23 09:00  #{24} {16}  3\n/);
  t.notMatch(text, /estimates/);
});

t.test('text: the chart shows the last 48 hours with empty hours; control characters are escaped', async (t) => {
  const lines = [eventLine({ time: '2026-11-20T00:00:00.000Z' }), eventLine({ time: '2026-11-23T11:00:00.000Z', qname: 'x\u001b[31m.test' }), eventLine({ time: '2026-11-23T13:00:00.000Z' })];
  const text = renderText(await runReport([stream(lines.join('\n'))]));
  const chart = text.slice(text.indexOf('Blocks per hour'));
  t.match(chart, /^Blocks per hour \(UTC, the last 48 hours of the data\)\n  2026-11-21 14:00 {44}0\n/);
  t.equal(chart.trimEnd().split('\n').length, 49);
  t.match(chart, /2026-11-23 12:00 {44}0\n  2026-11-23 13:00  #{40}  1$/m);
  t.notMatch(text, /\u001b/);
  t.match(text, /x\\u001b\[31m\.test/);
});

t.test('json: one object with the same sections', async (t) => {
  const data = await runReport([fileSource(plain)]);
  const json = JSON.parse(renderJson(data)) as typeof data;
  t.same(json.totals, data.totals);
  t.equal(json.names.top[0]?.key, 'ads.example.com');
  t.equal(json.hours.length, 4);
  t.same(Object.keys(json), ['totals', 'span', 'names', 'clients', 'zones', 'groups', 'actions', 'triggers', 'hours', 'warnings']);
});

t.test('csv: one table, CRLF, quoted where needed, formulas defused', async (t) => {
  const data = await runReport([fileSource(plain), stream(`${eventLine({ qname: '=cmd|x,y' })}\n`)]);
  const csv = renderCsv(data);
  const rows = csv.split('\r\n');
  t.equal(rows[0], CSV_HEADER.join(','));
  t.equal(rows.at(-1), '');
  t.ok(rows.includes('totals,blocked,14'));
  t.ok(rows.includes('totals,not_block_events,6'));
  t.ok(rows.includes('span,first,2026-11-23T08:00:00.000Z'));
  t.ok(rows.includes('names,ads.example.com,5,,0'));
  t.ok(rows.includes('names,"we""ird.test",1,,0'));
  t.ok(rows.includes(`names,"'=cmd|x,y",1,,0`));
  t.ok(rows.includes('zones,malware.rpz,3,malware'));
  t.ok(rows.includes('would_block_zones,trial.rpz,2,trial'));
  t.ok(rows.includes('hours,2026-11-23T09:00Z,3'));
});

t.test('an unreadable input is a warning; the others are counted', async (t) => {
  const broken = join(dir, 'truncated.gz');
  const whole = gzipSync(SAMPLE.repeat(50));
  writeFileSync(broken, whole.subarray(0, whole.length - 100));
  const data = await runReport([fileSource(join(dir, 'missing.log')), fileSource(broken), fileSource(plain)]);
  t.equal(data.warnings.length, 2);
  t.match(data.warnings[0], /missing\.log: no such file/);
  t.match(data.warnings[1], /truncated\.gz: gzip data ends early/);
  t.ok(data.totals.blocked > 13, 'counts what was read of the truncated file');
});

t.test('text: counts past the table size are marked as estimates', async (t) => {
  const lines = [...Array.from({ length: 30 }, () => eventLine({ qname: 'top.test' })), ...Array.from({ length: 40 }, (_, i) => eventLine({ qname: `n${i}.test`, client: `192.0.2.${i}` }))];
  const text = renderText(await runReport([stream(lines.join('\n'), 4096)], { capacity: 4 }), 3);
  t.match(text, /Top 3 blocked names \(of more than 4 distinct names\)\n\s+30  top\.test\n\s+~\d+  n\d+\.test/);
  t.match(text, /~ estimate: too many distinct names to count each one; such a count may be up to \d+ too high/);
  t.match(text, /Top 3 clients \(of more than 4 distinct clients\)/);
});

t.test('by client group: blocks per group (lines without a group are "default"), the group filter, text and csv', async (t) => {
  const lines = [
    eventLine({ group: 'students' }),
    eventLine({ group: 'students', qname: 'games.example' }),
    eventLine({ group: 'students', msg: 'would block', zone: 'trial.rpz', list: 'trial' }),
    eventLine({ group: 'guests' }),
    eventLine({ group: 'students', msg: 'passthru' }),
    eventLine({}),
    // Not flat (a backslash): read through JSON.parse, group included.
    eventLine({ group: 'guests', qname: 'we\\ird.test' }),
  ].join('\n');
  const data = await runReport([stream(lines)]);
  t.same(data.groups, [
    { group: 'students', blocked: 2, wouldBlock: 1 },
    { group: 'guests', blocked: 2, wouldBlock: 0 },
    { group: 'default', blocked: 1, wouldBlock: 0 },
  ]);
  const students = await runReport([stream(lines)], { filters: { groups: ['students'] } });
  t.same(students.totals, { lines: 7, blocked: 2, wouldBlock: 1, passthru: 1, skipped: 0, filteredOut: 3 });
  t.same(students.names.top.map((n) => n.key), ['ads.example.com', 'games.example']);
  const two = await runReport([stream(lines)], { filters: { groups: ['guests', 'default'] } });
  t.equal(two.totals.blocked, 3, 'a list of groups matches any of them');
  t.equal((await runReport([stream(lines)], { filters: { groups: ['Students'] } })).totals.blocked, 0, 'group names match exactly');
  const text = renderText(data);
  t.match(text, /\nBlocks per group\n  group     blocked  would block\n  students        2            1\n  guests          2            0\n  default         1            0\n\n/);
  const rows = renderCsv(data).split('\r\n');
  t.ok(rows.includes('groups,students,2'));
  t.ok(rows.includes('groups,default,1'));
  t.ok(rows.includes('would_block_groups,students,1'));
  t.notOk(rows.includes('would_block_groups,guests,0'));
});
