import t from 'tap';
import { referenceCode } from '../../src/observe/block-event.js';

// Fixed vectors, computed outside Stopzone from the documented definition (first 8 bytes of
// HMAC-SHA256(key, "client|qname lower-cased|zone|rule|hour since the epoch"), each & 31, in Crockford's alphabet)
// with Python's hmac module, so a change to the code a user quotes to the help desk fails here.
const KEY = Buffer.from('block log key');
const HOUR = Date.UTC(2025, 5, 1, 15, 0, 0);
const code = (time: number, qname = 'Games.Example') => referenceCode(KEY, '192.0.2.7', qname, 'school.rpz', 'games.example.school.rpz', time);

t.test('reference codes: fixed vectors, one code per clock hour, changing at the hour boundary', async (t) => {
  const rows: Array<[string, number, string]> = [
    ['start of the hour before', HOUR - 3_600_000, 'FFWJYWKG'],
    ['last millisecond before the boundary', HOUR - 1, 'FFWJYWKG'],
    ['on the boundary', HOUR, '2EYBF7NP'],
    ['last millisecond of that hour', HOUR + 3_599_999, '2EYBF7NP'],
    ['the next hour', HOUR + 3_600_000, 'JKRJQ6J4'],
  ];
  for (const [name, time, want] of rows) t.equal(code(time), want, name);
  t.equal(code(HOUR, 'games.example'), '2EYBF7NP', 'the question name in any letter case gives the same code');
  t.equal(referenceCode(Buffer.from('stop page test key'), '127.0.0.1', 'court.example', 'legal.rpz', 'court.example.legal.rpz', Date.UTC(2025, 5, 1, 14, 3, 7)), '02PTR2V6');
});
