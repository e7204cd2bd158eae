import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import t from 'tap';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { addressToBytes, decodePrefixLabels, prefixToLabels, prefixToString, type IpPrefix } from '../../src/rpz/ip-prefix.js';
import { prng } from '../helpers/prng.js';

const corpus = new URL('../../../shared/corpus/hagezi-rpz-tif-ips.txt', import.meta.url);

function hex(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Buffer.from(bytes).toString('hex');
}

t.test('valid labels: one spelling per row', async (t) => {
  // [labels, family, bits, length128, prefixToString]
  const rows: Array<[string, 4 | 6, number, number, string]> = [
    ['24.0.2.0.192', 4, 24, 120, '192.0.2.0/24'],
    ['32.1.2.0.192', 4, 32, 128, '192.0.2.1/32'],
    ['8.0.0.0.10', 4, 8, 104, '10.0.0.0/8'],
    ['1.0.0.0.128', 4, 1, 97, '128.0.0.0/1'],
    ['32.0.0.0.0', 4, 32, 128, '0.0.0.0/32'],
    ['32.255.255.255.255', 4, 32, 128, '255.255.255.255/32'],
    ['128.1.zz.db8.2001', 6, 128, 128, '2001:db8::1/128'],
    ['48.zz.bad.db8.2001', 6, 48, 48, '2001:db8:bad::/48'],
    ['32.zz.db8.2001', 6, 32, 32, '2001:db8::/32'],
    ['64.zz.1.0.db8.2001', 6, 64, 64, '2001:db8:0:1::/64'],
    ['128.zz.1', 6, 128, 128, '1::/128'], // zz last: the low words are zero
    ['128.1.zz', 6, 128, 128, '::1/128'], // zz first: the high words are zero
    ['128.ffff.zz', 6, 128, 128, '::ffff/128'], // not IPv4-mapped: that is ::ffff:0:0/96
    ['1.zz', 6, 1, 1, '::/1'],
    ['128.8.7.6.5.4.3.2.1', 6, 128, 128, '1:2:3:4:5:6:7:8/128'],
    ['128.1.0.1.0.1.0.1.0', 6, 128, 128, '0:1:0:1:0:1:0:1/128'], // single zero words are never zz
    ['128.1.0.0.1.zz.db8.2001', 6, 128, 128, '2001:db8::1:0:0:1/128'], // equal runs: zz on the high one (BIND ip2name)
    ['128.1.0.0.1.zz.2001', 6, 128, 128, '2001::1:0:0:1/128'], // the run of three wins over the run of two
    ['95.0.0.fffe.zz', 6, 95, 95, '::fffe:0:0/95'],
    ['32.ZZ.DB8.2001', 6, 32, 32, '2001:db8::/32'], // owner names are case-insensitive
  ];
  for (const [labels, family, bits, length128, text] of rows) {
    const got = decodePrefixLabels(labels);
    if (!got.ok) {
      t.fail(`${labels}: ${got.reason}`);
      continue;
    }
    t.same([got.prefix.family, got.prefix.bits, got.prefix.length128, prefixToString(got.prefix)], [family, bits, length128, text], labels);
    t.equal(got.prefix.address.length, 16, `${labels}: 16 bytes`);
    t.equal(prefixToLabels(got.prefix), labels.toLowerCase(), `${labels}: labels round-trip`);
  }
});

t.test('rejections: one reason per row', async (t) => {
  const rows: Array<[string, RegExp]> = [
    ['', /^too short/],
    ['24', /^too short/],
    ['x.0.2.0.192', /prefix length "x" is not a number/],
    ['0.0.2.0.192', /prefix length 0 is outside 1 to 128/], // BIND: no /0 for either family
    ['0.zz', /prefix length 0 is outside 1 to 128/],
    ['129.zz.1', /prefix length 129 is outside 1 to 128/],
    ['33.0.2.0.192', /^prefix length 33 is above 32 for IPv4$/],
    ['24.1.2.0.192', /^bits set past the \/24 prefix: 192\.0\.2\.1 .*"24\.0\.2\.0\.192"/],
    ['31.1.0.0.10', /bits set past the \/31 prefix.*"31\.0\.0\.0\.10"/],
    ['120.1.zz.db8.2001', /bits set past the \/120 prefix: 2001:db8::1 .*"120\.zz\.db8\.2001"/],
    ['32.1.zz.db8.2001', /bits set past the \/32 prefix/], // BIND only checks the word holding the boundary and loads it
    ['24.0.2.0.256', /IPv4 byte "256" is not a number from 0 to 255/],
    ['24.0.2.0.-1', /IPv4 byte "-1"/],
    ['32.db8.0.2.0', /IPv4 byte "db8"/], // 4 address labels without "z" are IPv4, as in BIND
    ['24.0.2.00.192', /"00" has a leading zero\); write "24\.0\.2\.0\.192"/],
    ['32.01.2.0.192', /"01" has a leading zero\); write "32\.1\.2\.0\.192"/],
    ['024.0.2.0.192', /"024" has a leading zero\); write "24\.0\.2\.0\.192"/],
    ['64.zz.0db8.2001', /"0db8" has a leading zero\); write "64\.zz\.db8\.2001"/],
    ['128.1.zz.1.0.0.db8.2001', /not the canonical spelling; write "128\.1\.0\.0\.1\.zz\.db8\.2001"/], // zz on the low run of two equal ones
    ['128.1.zz.1.0.0.0.2001', /not the canonical spelling; write "128\.1\.0\.0\.1\.zz\.2001"/], // zz on the shorter run
    ['128.1.0.zz.db8.2001', /not the canonical spelling; write "128\.1\.zz\.db8\.2001"/], // a zero word left beside zz
    ['128.1.zz.2.3.4.5.6.2001', /not the canonical spelling; write "128\.1\.0\.2\.3\.4\.5\.6\.2001"/], // zz for one word
    ['128.1.0.0.0.0.0.0.0', /not the canonical spelling; write "128\.1\.zz"/], // a run with no zz
    ['128.1.0.0.0.zz.0.0.1', /not the canonical spelling; write "128\.1\.zz\.1"/],
    ['128.zz.1.zz', /"zz" appears 2 times/],
    ['128.zz.1.zz.2', /"zz" appears 2 times/], // BIND loads this one (second zz = one word), never to match
    ['128.a.b.c', /^3 IPv6 words and no "zz"; expected 8 words/],
    ['128.1.2.3.4.5.6.7.8.9', /^9 IPv6 words and no "zz"/],
    ['128.1.2.3.4.5.6.7.zz.8', /^8 IPv6 words besides "zz"/],
    ['128.1.zz.12345', /IPv6 word "12345" is not 1 to 4 hex digits/],
    ['128.1.zz.g', /IPv6 word "g"/],
    ['128.1.2.ffff.zz', /IPv4-mapped IPv6 prefix; write it as IPv4, "32\.1\.0\.2\.0"/],
    ['96.0.0.ffff.zz', /::ffff:0:0\/96, all of IPv4/],
    // hagezi-rpz-tif-ips.txt: reversed IPv4 addresses without the prefix label.
    ['1.0.218.230', /^4 labels: IPv4 230\.218\.0\.1 without its prefix length; expected 5, e\.g\. "32\.1\.0\.218\.230" for 230\.218\.0\.1\/32 \(BIND reads it as an IPv6 \/1 and refuses it \("too small prefix length"\)/],
    ['230.0.218.1', /^4 labels: IPv4 1\.218\.0\.230 .*BIND refuses it: "invalid prefix length of 230"/],
    ['0.1.2.3', /^4 labels: .*"invalid prefix length of 0"/],
    ['128.1.2.3', /^4 labels: IPv4 3\.2\.1\.128 /],
  ];
  for (const [labels, want] of rows) {
    const got = decodePrefixLabels(labels);
    t.match(got.ok ? `accepted as ${prefixToString(got.prefix)}` : got.reason, want, labels === '' ? '(empty)' : labels);
  }
});

t.test('hagezi-rpz-tif-ips.txt: every rpz-ip owner refused, BIND\'s "invalid prefix length" count reproduced', { skip: skipWhenMissing(!existsSync(corpus), 'corpus not present') }, async (t) => {
  let owners = 0;
  let accepted = 0;
  let missing = 0;
  let invalid = 0;
  for (const line of readFileSync(corpus, 'utf8').split('\n')) {
    const m = /^(\S+)\.rpz-ip\s/.exec(line);
    if (m === null) continue;
    owners++;
    const got = decodePrefixLabels(m[1]!);
    if (got.ok) accepted++;
    else if (got.reason.includes('without its prefix length')) missing++;
    if (!got.ok && got.reason.includes('invalid prefix length')) invalid++;
  }
  // The corpus README: 44,531 triggers; BIND 9.18 logged 16,875 "invalid prefix length"; the rest depends on BIND's uninitialised words.
  t.same({ owners, accepted, missing, invalid }, { owners: 44531, accepted: 0, missing: 44531, invalid: 16875 });
});


const seed = Number(process.env.IP_PREFIX_SEED ?? Math.floor(Math.random() * 2 ** 32));

t.test(`random prefixes round-trip prefix -> labels -> prefix (seed ${seed}; IP_PREFIX_SEED=${seed} to repeat)`, async (t) => {
  t.comment(`seed ${seed}`);
  const random = prng(seed);
  const failures: string[] = [];
  let v4 = 0;
  let zz = 0;
  for (let i = 0; i < 3000; i++) {
    const address = new Uint8Array(16);
    let prefix: IpPrefix;
    if (random() < 0.4) {
      const bits = 1 + Math.floor(random() * 32);
      address[10] = address[11] = 0xff;
      for (let b = 12; b < 16; b++) address[b] = Math.floor(random() * 256);
      prefix = { family: 4, bits, address: clear(address, 96 + bits), length128: 96 + bits };
      v4++;
    } else {
      // Words mostly zero, so that runs of every length and position occur.
      for (let w = 0; w < 8; w++) {
        const value = random() < 0.5 ? 0 : Math.floor(random() * 0x10000);
        address[2 * w] = value >> 8;
        address[2 * w + 1] = value & 0xff;
      }
      const bits = 1 + Math.floor(random() * 128);
      prefix = { family: 6, bits, address: clear(address, bits), length128: bits };
      const mapped = prefix.address.subarray(0, 12).every((b, j) => b === (j < 10 ? 0 : 0xff));
      if (mapped && bits >= 96) continue; // IPv4 territory: refused as IPv6 (rows above)
    }
    const labels = prefixToLabels(prefix);
    if (labels.includes('zz')) zz++;
    const back = decodePrefixLabels(labels);
    if (!back.ok) failures.push(`${labels}: ${back.reason}`);
    else if (hex(back.prefix.address) !== hex(prefix.address) || back.prefix.length128 !== prefix.length128 || back.prefix.family !== prefix.family) failures.push(`${labels}: came back as ${prefixToString(back.prefix)}`);
    // prefixToString agrees with the WHATWG URL serializer (RFC 5952 compression) and with addressToBytes.
    const text = prefixToString(prefix).split('/')[0]!;
    if (prefix.family === 6 && !(prefix.address.subarray(0, 12).every((b, j) => b === (j < 10 ? 0 : 0xff)))) {
      const whatwg = new URL(`http://[${text}]/`).hostname.slice(1, -1);
      if (whatwg !== text) failures.push(`${labels}: ${text}, URL says ${whatwg}`);
    }
    if (hex(addressToBytes(text)) !== hex(prefix.address)) failures.push(`${labels}: addressToBytes(${text}) = ${hex(addressToBytes(text))}`);
  }
  t.same(failures.slice(0, 10), [], `${failures.length} failures`);
  t.ok(v4 > 500 && zz > 500, `IPv4 ${v4}, with zz ${zz}`);
});

function clear(address: Uint8Array, length128: number): Uint8Array {
  for (let bit = length128; bit < 128; bit++) address[bit >> 3]! &= ~(1 << (7 - (bit & 7)));
  return address;
}

t.test('addressToBytes', async (t) => {
  const mapped = (tail: string) => `00000000000000000000ffff${tail}`;
  const rows: Array<[string, string | null]> = [
    ['192.0.2.1', mapped('c0000201')],
    ['0.0.0.0', mapped('00000000')],
    ['255.255.255.255', mapped('ffffffff')],
    ['::ffff:192.0.2.1', mapped('c0000201')],
    ['::ffff:c000:201', mapped('c0000201')],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:DB8::1', '20010db8000000000000000000000001'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::c000:201', '000000000000000000000000c0000201'], // IPv4-compatible, not mapped
    ['64:ff9b::192.0.2.1', '0064ff9b0000000000000000c0000201'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['256.1.1.1', null],
    ['01.2.3.4', null],
    ['1.2.3.-4', null],
    ['example.com', null],
    ['1::2::3', null],
    [':::', null],
    [':1::', null],
    ['12345::', null],
    ['g::1', null],
    ['1:2:3:4:5:6:7', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1:2:3:4:5:6:7::8', null],
    ['::1.2.3', null],
    ['1.2.3.4::', null],
    ['::1.2.3.4:5', null],
  ];
  for (const [address, want] of rows) {
    t.equal(hex(addressToBytes(address)), want, address === '' ? '(empty)' : address);
    if (!address.includes('%')) t.equal(addressToBytes(address) !== null, isIP(address) !== 0, `${address}: agrees with net.isIP`);
  }
});
