// The CSV export: RFC 4180 quoting of commas, quotes and line breaks, and no formula a spreadsheet would run
// (OWASP "CSV injection"), checked by reading the file back with a separate RFC 4180 parser.
import t from 'tap';
import { csvField } from '../../src/store/event-csv.js';
import { openTestStore, storedEvent } from '../helpers/event-store.js';

/** Reads RFC 4180 CSV: records of fields, quoted fields may hold commas, CRLF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++;
    else field += c;
  }
  t.equal(field + record.join(''), '', 'the text ends with a whole record');
  return records;
}

t.test('fields: quoted when they hold a comma, quote or line break; a leading =, +, -, @, tab or CR is made text', async (t) => {
  const rows: Array<[string | number | null, string]> = [
    ['games.example', 'games.example'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['=1+1', `"'=1+1"`],
    ['+cmd', `"'+cmd"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=x', `"'\t=x"`],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
    [15, '15'],
    [null, ''],
    ['', ''],
  ];
  for (const [value, want] of rows) t.equal(csvField(value), want, JSON.stringify(value));
});

t.test('an export read back gives every event\'s fields, formulas as text, newest first', async (t) => {
  const store = await openTestStore(t);
  const nasty = [
    storedEvent({ time: Date.UTC(2026, 0, 1, 8), qname: 'evil,name.example', ref: 'AAAAAAA1' }),
    storedEvent({ time: Date.UTC(2026, 0, 1, 9), qname: '=cmd|\' /C calc\'!A0.example', ref: 'AAAAAAA2', list: 'List "A", the big one' }),
    storedEvent({ time: Date.UTC(2026, 0, 1, 10), qname: '+1.example', client: '@attacker', ref: 'AAAAAAA3', group: 'line\nbreak' }),
    storedEvent({ time: Date.UTC(2026, 0, 1, 11), qname: '-x.example', ref: 'AAAAAAA4', ede: null }),
  ];
  for (const event of nasty) store.record(event);
  await store.flushed();
  const lines = [...store.csv({})];
  t.equal(lines.length, 5, 'a header and one line per event');
  t.ok(lines.every((line) => line.endsWith('\r\n')), 'each ends with CRLF');
  const [header, ...records] = parseCsv(lines.join(''));
  t.same(header, ['id', 'time', 'msg', 'ref', 'client', 'qname', 'qtype', 'zone', 'list', 'rule', 'trigger', 'action', 'group', 'ede', 'transport', 'listener']);
  const text = (value: string): string => (/^[=+\-@]/.test(value) ? `'${value}` : value);
  t.same(
    records.map((r) => r.slice(1)),
    nasty.reverse().map((e) => [new Date(e.time).toISOString(), e.msg, e.ref, text(e.client), text(e.qname), e.qtype, e.zone, e.list, e.rule === e.qname ? text(e.rule) : e.rule, e.trigger, e.action, e.group, e.ede === null ? '' : String(e.ede), e.transport, e.listener]),
  );
  t.ok(records.every((r) => r.slice(1).every((field) => !/^[=+\-@\t\r]/.test(field))), 'no field starts as a formula');
});

t.test('an export goes past one page, follows the filter, and starts at `before`', async (t) => {
  const store = await openTestStore(t);
  for (let i = 0; i < 1234; i++) store.record(storedEvent({ time: Date.UTC(2026, 0, 2) + i * 1000, group: i % 2 === 0 ? 'students' : 'staff', ref: `B${String(i).padStart(7, '0')}` }));
  await store.flushed();
  t.equal([...store.csv({})].length, 1 + 1234, 'every event, in pages of 500 read as lines are taken');
  t.equal([...store.csv({ group: 'staff', limit: 5 })].length, 1 + 617, 'the filter applies; limit does not');
  const [, first] = [...store.csv({ before: store.search({ limit: 10 }).next! })];
  t.match(first, /,B0001223,/, 'starts below the cursor');
});
