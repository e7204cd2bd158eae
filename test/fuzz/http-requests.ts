import { LISTED_NAME, UNLISTED_NAME, WILDCARD_PARENT } from './policy.js';
import { inputRng, type Rng } from './rng.js';

/**
 * Requests for the stop page and the admin listener, as raw bytes: methods,
 * paths, versions and headers (Host, Accept-Language, lengths, encodings,
 * upgrades) real and broken, huge headers and many of them, pipelining;
 * and TLS ClientHellos with random SNI names for the HTTPS listener. A
 * share of each is then mutated at the byte level.
 */

/** Where an input goes. */
export type HttpTarget = 'page' | 'admin' | 'tls';

export interface HttpInput {
  readonly target: HttpTarget;
  readonly bytes: Buffer;
}

const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PRI', 'get', 'G ET', 'PROPFIND', ''];
const PAGE_PATHS = ['/', '/robots.txt', '/favicon.ico', '/any/path?x=1', '/%zz', '/%00', '/..%2f..%2fetc/passwd', '*', 'http://listed.fuzz.test/x', '/\u00ff\u0080', '/?lang=de', ''];
const ADMIN_PATHS = ['/metrics', '/healthz', '/readyz', '/metrics?x=1', '/metrics/', '//metrics', '/METRICS', '/%6detrics', '/readyz#x', '/', '/nope'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/9.9', ''];
const HOSTS = [LISTED_NAME, `x.${WILDCARD_PARENT}`, UNLISTED_NAME, `${LISTED_NAME}:8080`, `${LISTED_NAME}.`, 'LISTED.FUZZ.TEST', '[::1]:80', '127.0.0.1', '', 'a'.repeat(300), 'ü.test', '<script>alert(1)</script>', 'x..y', `${LISTED_NAME}:99999`, '[::1', 'a b'];
const LANGUAGES = ['de', 'fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5', 'x'.repeat(5000), ';q=', '*', 'zz-ZZ;q=2', ',,,,', 'de;q=0.0001,'.repeat(200), '\u00e9'];

function headerLines(rng: Rng, target: HttpTarget): string[] {
  const lines: string[] = [];
  if (rng.chance(0.9)) lines.push(`Host: ${target === 'page' ? rng.pick(HOSTS) : rng.pick(['127.0.0.1:9153', 'localhost', ''])}`);
  if (rng.chance(0.05)) lines.push(`Host: ${rng.pick(HOSTS)}`);
  if (rng.chance(0.4)) lines.push(`Accept-Language: ${rng.pick(LANGUAGES)}`);
  if (rng.chance(0.2)) lines.push(rng.pick(['Connection: keep-alive', 'Connection: close', 'Connection: upgrade', 'Upgrade: h2c', 'Upgrade: websocket', 'Expect: 100-continue']));
  if (rng.chance(0.1)) lines.push(`Content-Length: ${rng.pick(['0', '5', '100000', '-1', '1e3', '18446744073709551616', '5, 6'])}`);
  if (rng.chance(0.08)) lines.push(`Transfer-Encoding: ${rng.pick(['chunked', 'gzip, chunked', 'chunked, identity', 'xchunked'])}`);
  if (rng.chance(0.03)) lines.push(`Cookie: ${'c=1; '.repeat(rng.pick([10, 4000]))}`);
  if (rng.chance(0.02)) for (let i = 0; i < 150; i++) lines.push(`X-Many-${i}: ${i}`);
  if (rng.chance(0.02)) lines.push(`X-Huge: ${'h'.repeat(rng.pick([9000, 20_000, 80_000]))}`);
  if (rng.chance(0.03)) lines.push(rng.pick(['NoColonHere', ' folded: continuation', 'X-Nul: a\u0000b', 'X-Cr: a\rb', ': empty-name', 'X-Utf8: \u00ff\u00fe']));
  return lines;
}

function request(rng: Rng, target: HttpTarget): string {
  const path = target === 'admin' ? rng.pick(ADMIN_PATHS) : rng.chance(0.05) ? `/${'p'.repeat(rng.pick([2000, 9000]))}` : rng.pick(PAGE_PATHS);
  const method = rng.chance(0.01) ? 'M'.repeat(5000) : rng.pick(METHODS);
  const head = `${method} ${path} ${rng.pick(VERSIONS)}`.trimEnd();
  const body = rng.chance(0.1) ? rng.pick(['hello', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\nbad\r\n', '0\r\n\r\n', 'x'.repeat(3000)]) : '';
  return `${head}\r\n${headerLines(rng, target).join('\r\n')}\r\n\r\n${body}`;
}

/** A TLS 1.2/1.3 ClientHello (RFC 8446 section 4.1.2) with `names` in its server_name extension. */
function clientHello(rng: Rng, names: Buffer[]): Buffer {
  const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const extension = (type: number, data: Buffer): Buffer => Buffer.concat([u16(type), u16(data.length), data]);
  const serverNames = Buffer.concat(names.map((name) => Buffer.concat([Buffer.from([0]), u16(name.length), name])));
  const extensions = Buffer.concat([
    ...(names.length > 0 ? [extension(0, Buffer.concat([u16(serverNames.length), serverNames]))] : []),
    extension(43, Buffer.from([4, 3, 4, 3, 3])),
    extension(10, Buffer.concat([u16(4), u16(0x001d), u16(0x0017)])),
    extension(13, Buffer.concat([u16(8), u16(0x0403), u16(0x0804), u16(0x0401), u16(0x0503)])),
    extension(51, Buffer.concat([u16(36), u16(0x001d), u16(32), rng.bytes(32)])),
  ]);
  const suites = Buffer.concat([0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc030].map(u16));
  const body = Buffer.concat([Buffer.from([3, 3]), rng.bytes(32), Buffer.from([32]), rng.bytes(32), u16(suites.length), suites, Buffer.from([1, 0]), u16(extensions.length), extensions]);
  const handshake = Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(handshake.length), handshake]);
}

function sniName(rng: Rng): Buffer {
  switch (rng.int(8)) {
    case 0:
      return Buffer.from(LISTED_NAME);
    case 1:
      return Buffer.from(`r${rng.int(1_000_000)}.${WILDCARD_PARENT}`);
    case 2:
      return Buffer.from(rng.pick(['127.0.0.1', '::1', '', 'localhost', `${LISTED_NAME}.`, 'LISTED.fuzz.test']));
    case 3:
      return Buffer.from('a'.repeat(rng.pick([63, 64, 254, 255, 300])));
    case 4:
      return rng.bytes(rng.range(1, 40));
    default:
      return Buffer.from(`s${rng.int(1_000_000)}.example.test`);
  }
}

/** Byte-level damage: flips, CR/LF/NUL/space insertions, truncation. */
function damage(bytes: Buffer, rng: Rng): Buffer {
  let out = Buffer.from(bytes);
  for (let n = rng.range(1, 4); n > 0; n--) {
    const at = rng.int(out.length + 1);
    const roll = rng.int(4);
    if (roll === 0 && out.length > 0) out[Math.min(at, out.length - 1)]! ^= 1 << rng.int(8);
    else if (roll === 1) out = Buffer.concat([out.subarray(0, at), Buffer.from([rng.pick([13, 10, 0, 32, 0x7f, 0xff])]), out.subarray(at)]);
    else if (roll === 2) out = out.subarray(0, at);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.range(1, 8)))]);
  }
  return out;
}

/** HTTP input `index` of the run seeded with `seed`; `tls` says whether an HTTPS listener is there to take ClientHellos. */
export function httpInput(seed: number, index: number, tls: boolean): HttpInput {
  const rng = inputRng(seed, index);
  const roll = rng.int(100);
  const target: HttpTarget = tls && roll < 10 ? 'tls' : roll < 55 ? 'page' : 'admin';
  let bytes: Buffer;
  if (target === 'tls') bytes = clientHello(rng, Array.from({ length: rng.chance(0.9) ? 1 : rng.pick([0, 2, 3]) }, () => sniName(rng)));
  else {
    const text = rng.chance(0.1) ? request(rng, target) + request(rng, target) : request(rng, target);
    bytes = Buffer.from(text, rng.chance(0.95) ? 'utf8' : 'latin1');
  }
  return { target, bytes: rng.chance(0.3) ? damage(bytes, rng) : bytes };
}
