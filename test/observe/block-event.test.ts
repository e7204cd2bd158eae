import t from 'tap';
import { createHash } from 'node:crypto';
import { referenceCode } from '../../src/observe/block-event.js';

// Fixed vectors, computed outside Stopzone from the documented definition (first 8 bytes of
// SHA-256(key in hex "|" "client|qname lower-cased|zone|rule|hour since the epoch"), each & 31, in Crockford's
// alphabet) with Python's hashlib, so a change to the code a user quotes to the help desk fails here.
const KEY = Buffer.from('block log key');
const HOUR = Date.UTC(2025, 5, 1, 15, 0, 0);
const code = (time: number, qname = 'Games.Example') => referenceCode(KEY, '192.0.2.7', qname, 'school.rpz', 'games.example.school.rpz', time);

t.test('reference codes: fixed vectors, one code per clock hour, changing at the hour boundary', async (t) => {
  const rows: Array<[string, number, string]> = [
    ['start of the hour before', HOUR - 3_600_000, 'VTTYTX5C'],
    ['last millisecond before the boundary', HOUR - 1, 'VTTYTX5C'],
    ['on the boundary', HOUR, 'S3BV1CJ0'],
    ['last millisecond of that hour', HOUR + 3_599_999, 'S3BV1CJ0'],
    ['the next hour', HOUR + 3_600_000, 'FSBCTB15'],
  ];
  for (const [name, time, want] of rows) t.equal(code(time), want, name);
  t.equal(code(HOUR, 'games.example'), 'S3BV1CJ0', 'the question name in any letter case gives the same code');
  t.equal(referenceCode(Buffer.from('stop page test key'), '127.0.0.1', 'court.example', 'legal.rpz', 'court.example.legal.rpz', Date.UTC(2025, 5, 1, 14, 3, 7)), 'TZWPMXAD');
});

type Ask = [name: string, key: Buffer, client: string, zone: string, rule: string, time: number];

/** The documented definition, computed with createHash: what referenceCode must give, whatever it remembers. */
function definition(key: Buffer, client: string, qname: string, zone: string, rule: string, time: number): string {
  const digest = createHash('sha256').update(`${key.toString('hex')}|${client}|${qname}|${zone}|${rule}|${Math.floor(time / 3_600_000)}`).digest();
  return Array.from(digest.subarray(0, 8), (byte) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[byte & 31]).join('');
}

t.test('reference codes: a code remembered for a name is given again only for the same key, client, zone, rule and hour', async (t) => {
  // Each other visit differs from the first in one thing only, and each is asked right after the first (which is
  // then what is remembered for the name), and the first again right after it.
  const first: Ask = ['first ask', KEY, '192.0.2.7', 'school.rpz', 'games.example.school.rpz', HOUR];
  const others: Ask[] = [
    ['another client', KEY, '192.0.2.8', 'school.rpz', 'games.example.school.rpz', HOUR],
    ['another zone', KEY, '192.0.2.7', 'malware.rpz', 'games.example.school.rpz', HOUR],
    ['another rule', KEY, '192.0.2.7', 'school.rpz', '*.example.school.rpz', HOUR],
    ['another hour', KEY, '192.0.2.7', 'school.rpz', 'games.example.school.rpz', HOUR + 3_600_000],
    ['another key', Buffer.from('another key'), '192.0.2.7', 'school.rpz', 'games.example.school.rpz', HOUR],
  ];
  const codes = new Set<string>();
  for (const [name, key, client, zone, rule, time] of [first, ...others.flatMap((other) => [other, first])]) {
    const given = referenceCode(key, client, 'Games.Example', zone, rule, time);
    t.equal(given, definition(key, client, 'games.example', zone, rule, time), name);
    codes.add(given);
  }
  t.equal(codes.size, 6, 'six different visits, six different codes');
});

t.test('reference codes: past the names remembered, codes are still the definition', async (t) => {
  const key = Buffer.from('many names key');
  const first = referenceCode(key, '192.0.2.7', 'n0.example', 'school.rpz', 'n0.example.school.rpz', HOUR);
  for (let i = 1; i <= 5000; i++) referenceCode(key, '192.0.2.7', `n${i}.example`, 'school.rpz', `n${i}.example.school.rpz`, HOUR);
  t.equal(first, definition(key, '192.0.2.7', 'n0.example', 'school.rpz', 'n0.example.school.rpz', HOUR));
  t.equal(referenceCode(key, '192.0.2.7', 'n0.example', 'school.rpz', 'n0.example.school.rpz', HOUR), first, 'the same code once forgotten and computed again');
});
