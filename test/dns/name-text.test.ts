import t from 'tap';
import { textToWire } from '../../src/dns/name-text.js';

const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));

t.test('master-file text to wire octets', async (t) => {
  const long = 'a'.repeat(63);
  const rows: Array<{ text: string; want: string | null }> = [
    { text: '', want: '00' },
    { text: '.', want: '00' },
    { text: 'a.b', want: '0161016200' },
    { text: 'a.b.', want: '0161016200' },
    { text: 'Ab', want: '02416200' },
    { text: 'a\\.b', want: '03612e6200' },
    { text: 'a\\046b', want: '03612e6200' },
    { text: 'a\\032b', want: '0361206200' },
    { text: 'a\\\\b', want: '03615c6200' },
    { text: '\\255', want: '01ff00' },
    { text: long, want: `3f${'61'.repeat(63)}00` },
    { text: `${long}a`, want: null },
    { text: 'a..b', want: null },
    { text: '.a', want: null },
    { text: 'a\\', want: null },
    { text: 'a\\256', want: null },
    { text: 'caf\u00e9', want: '04636166e900' },
    { text: '\u4e2d', want: null },
    { text: Array.from({ length: 4 }, () => long).join('.'), want: null },
    { text: Array.from({ length: 3 }, () => long).join('.') + '.' + 'a'.repeat(61), want: hex(Buffer.from([...Array.from({ length: 3 }, () => [63, ...Array(63).fill(0x61)]).flat(), 61, ...Array(61).fill(0x61), 0])) },
  ];
  for (const row of rows) t.equal(hex(textToWire(row.text)), row.want, JSON.stringify(row.text).slice(0, 40));
});
