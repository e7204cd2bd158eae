/**
 * Scenario: messageFault, the check every upstream answer passes before it is cached or relayed (issue 17, D11),
 * on a typical answer (~200 bytes: a CNAME to a CDN, two A, two AAAA, OPT) and a large one (~4 KB: 180 A
 * records with their RRSIG, 13 NS with glue, OPT), each compressed as a resolver compresses it.
 *
 * Hypothesis: it costs well under a microsecond on the typical answer (over 2 M checks/s on one core) and some
 * 10 µs on the 4 KB one, next to some 50 µs of CPU that Stopzone spends per forwarded query (bench/README.md):
 * cheap enough to run on every answer. Baselines in the same run: listRecords, the walk checkAnswer did before
 * (no pointers followed, no RDATA names, an object per record), and dns-packet's decode, the full parse a
 * hand-off to the library would cost. Like listRecords and unlike dns-packet, messageFault allocates nothing
 * when the message is well-formed.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/message-fault.ts [runs=5]
 */
import dnsPacket from 'dns-packet';
import { messageFault } from '../src/dns/message-fault.js';
import { listRecords, readQuestion } from '../src/dns/wire.js';

const runs = Number(process.argv[2] ?? 5);

/**
 * Writes a response the way resolvers do, names compressed against every suffix written before (RFC 1035
 * section 4.1.4; dns-packet does not compress). Records: [section, owner, type, rdata parts], where a string
 * part is a name (compressed when `compress`), a number array is raw bytes.
 */
function compressed(qname: string, records: Array<[0 | 1 | 2, string, number, Array<string | number[]>, boolean?]>): Buffer {
  const out: number[] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0];
  const seen = new Map<string, number>();
  const name = (text: string, compress = true): void => {
    const labels = text.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = seen.get(suffix);
      if (compress && at !== undefined) return void out.push(0xc0 | (at >> 8), at & 0xff);
      if (out.length < 0x3fff) seen.set(suffix, out.length);
      out.push(labels[i]!.length, ...Buffer.from(labels[i]!));
    }
    out.push(0);
  };
  name(qname);
  out.push(0, 1, 0, 1);
  for (const [section, owner, type, rdata, compress = true] of records) {
    out[7 + 2 * section]! += 1;
    name(owner);
    out.push(type >> 8, type & 0xff, 0, 1, 0, 0, 0x0e, 0x10, 0, 0);
    const lengthAt = out.length - 2;
    for (const part of rdata) typeof part === 'string' ? name(part, compress) : out.push(...part);
    const length = out.length - lengthAt - 2;
    out[lengthAt] = length >> 8;
    out[lengthAt + 1] = length & 0xff;
  }
  out.push(0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0); // OPT
  out[11]! += 1;
  return Buffer.from(out);
}

const cdn = 'www.example.com.cdn.cloudflare.net';
const typical = compressed('www.example.com', [
  [0, 'www.example.com', 5, [cdn]],
  [0, cdn, 1, [[104, 16, 1, 1]]],
  [0, cdn, 1, [[104, 16, 1, 2]]],
  [0, cdn, 28, [[0x26, 0x06, 0x47, 0, ...Array<number>(10).fill(0), 1, 1]]],
  [0, cdn, 28, [[0x26, 0x06, 0x47, 0, ...Array<number>(10).fill(0), 1, 2]]],
]);
const big = 'pool.example.net';
const servers = Array.from({ length: 13 }, (_, i) => `${String.fromCharCode(97 + i)}.ns.example.net`);
const large = compressed(big, [
  ...Array.from({ length: 180 }, (_, i): [0, string, number, number[][]] => [0, big, 1, [[198, 51, i >> 8, i & 0xff]]]),
  // RRSIG: 18 octets of fields, the signer's name (never compressed, RFC 4034 section 3.1.7), a 2048-bit signature.
  [0, big, 46, [[0, 1, 8, 3, 0, 0, 0, 60, 0, 0, 0, 2, 0, 0, 0, 1, 0, 7], 'example.net', Array<number>(256).fill(7)], false],
  ...servers.map((ns): [1, string, number, string[]] => [1, 'example.net', 2, [ns]]),
  ...servers.flatMap((ns, i): Array<[2, string, number, number[][]]> => [
    [2, ns, 1, [[192, 0, 2, i + 1]]],
    [2, ns, 28, [[0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), i + 1]]],
  ]),
]);

const checks: Record<string, (message: Buffer, questionEnd: number) => unknown> = {
  messageFault: (message) => messageFault(message),
  'listRecords (before)': (message, questionEnd) => listRecords(message, questionEnd),
  'dns-packet decode': (message) => dnsPacket.decode(message),
};

/** Checks per second of CPU time (process.cpuUsage: time the process is descheduled on a busy machine is not counted), over about 300 ms, after a warm-up. */
function rate(check: (message: Buffer, questionEnd: number) => unknown, message: Buffer, questionEnd: number): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += check(message, questionEnd) === undefined ? 1 : 0;
  let count = 0;
  const started = process.cpuUsage();
  let micros = 0;
  while (micros < 300_000) {
    for (let i = 0; i < 2_000; i++) sink += check(message, questionEnd) === undefined ? 1 : 0;
    count += 2_000;
    const used = process.cpuUsage(started);
    micros = used.user + used.system;
  }
  if (sink < 0) console.log(sink);
  return count / (micros / 1e6);
}

for (const [label, message] of [['typical', typical], ['large', large]] as const) {
  if (messageFault(message) !== null) throw new Error(`the ${label} answer is malformed: ${messageFault(message)}`);
  const questionEnd = readQuestion(message)!.end;
  console.log(`\n${label} answer: ${message.length} bytes, ${listRecords(message, questionEnd)!.length} records`);
  const results: Record<string, number[]> = {};
  for (let run = 0; run < runs; run++) {
    // Interleaved, so that each run measures all three under the same load.
    for (const [name, check] of Object.entries(checks)) (results[name] ??= []).push(rate(check, message, questionEnd));
  }
  for (const [name, rates] of Object.entries(results)) {
    const sorted = [...rates].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`  ${name.padEnd(22)} median ${(median / 1e6).toFixed(2)} M/s (${(1e9 / median).toFixed(0)} ns each); runs ${sorted.map((r) => (r / 1e6).toFixed(2)).join(', ')}`);
  }
}
