import type { Rng } from './rng.js';
import { layout } from './wire.js';

/** Octets that sit on boundaries of the DNS wire format: label lengths, pointer tags, sign bits. */
const INTERESTING_OCTETS = [0x00, 0x01, 0x3f, 0x40, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xfe, 0xff];
/** Types that change how a record is read: OPT, CNAME, SOA, RRSIG, TSIG, the meta types, unknown. */
const INTERESTING_TYPES = [0, 1, 2, 5, 6, 12, 16, 28, 33, 41, 46, 47, 50, 64, 65, 99, 249, 250, 251, 252, 255, 256, 65280, 65535];
const INTERESTING_COUNTS = [0, 1, 2, 3, 127, 255, 256, 0x7fff, 0xffff];

type Mutation = (raw: Buffer, rng: Rng, donor: Buffer) => Buffer;

/** Each mutation returns the mutated message (a new buffer when the length changes). */
const MUTATIONS: readonly Mutation[] = [
  function flipBit(raw, rng) {
    if (raw.length > 0) raw[rng.int(raw.length)]! ^= 1 << rng.int(8);
    return raw;
  },
  function interestingOctet(raw, rng) {
    if (raw.length > 0) raw[rng.int(raw.length)] = rng.pick(INTERESTING_OCTETS);
    return raw;
  },
  function truncate(raw, rng) {
    return raw.subarray(0, rng.int(raw.length + 1));
  },
  function appendTail(raw, rng, donor) {
    const tail = rng.chance(0.5) ? rng.bytes(rng.range(1, 64)) : donor.subarray(rng.int(donor.length + 1));
    return Buffer.concat([raw, tail]);
  },
  function deleteRange(raw, rng) {
    const from = rng.int(raw.length + 1);
    const to = Math.min(raw.length, from + rng.range(1, 16));
    return Buffer.concat([raw.subarray(0, from), raw.subarray(to)]);
  },
  function duplicateRange(raw, rng) {
    const from = rng.int(raw.length + 1);
    const to = Math.min(raw.length, from + rng.range(1, 32));
    const at = rng.int(raw.length + 1);
    return Buffer.concat([raw.subarray(0, at), raw.subarray(from, to), raw.subarray(at)]);
  },
  function countLie(raw, rng) {
    if (raw.length < 12) return raw;
    const at = 4 + 2 * rng.int(4);
    const count = raw.readUInt16BE(at);
    raw.writeUInt16BE(rng.chance(0.5) ? rng.pick(INTERESTING_COUNTS) : (count + rng.pick([-1, 1, 2]) + 0x10000) & 0xffff, at);
    return raw;
  },
  function labelLengthLie(raw, rng) {
    const { labels } = layout(raw);
    if (labels.length > 0) raw[rng.pick(labels)] = rng.chance(0.5) ? rng.pick(INTERESTING_OCTETS) : rng.int(256);
    return raw;
  },
  function pointerRewrite(raw, rng) {
    const { labels } = layout(raw);
    if (labels.length === 0) return raw;
    const at = rng.pick(labels);
    // Backwards to a name, to the header, to itself (a loop), forwards, or past the end.
    const target = rng.pick([rng.pick(labels), rng.int(12), at, at + 2 + rng.int(32), raw.length + rng.int(300), rng.int(0x4000)]);
    const pointer = Buffer.from([0xc0 | ((target >> 8) & 0x3f), target & 0xff]);
    return rng.chance(0.7) ? Buffer.concat([raw.subarray(0, at), pointer, raw.subarray(Math.min(raw.length, at + 2))]) : Buffer.concat([raw.subarray(0, at), pointer]);
  },
  function rdlengthLie(raw, rng) {
    const { records } = layout(raw);
    if (records.length === 0) return raw;
    const at = rng.pick(records) + 8;
    const length = raw.readUInt16BE(at);
    raw.writeUInt16BE(rng.pick([0, 1, length - 1, length + 1, length + 100, 0xffff]) & 0xffff, at);
    return raw;
  },
  function typeRewrite(raw, rng) {
    const { records, questionEnd } = layout(raw);
    const places = [...records, ...(questionEnd >= 16 ? [questionEnd - 4] : [])];
    if (places.length === 0) return raw;
    const at = rng.pick(places) + (rng.chance(0.7) ? 0 : 2);
    raw.writeUInt16BE(rng.chance(0.8) ? rng.pick(INTERESTING_TYPES) : rng.int(65536), at);
    return raw;
  },
  function splice(raw, rng, donor) {
    return Buffer.concat([raw.subarray(0, rng.int(raw.length + 1)), donor.subarray(rng.int(donor.length + 1))]);
  },
  function flagsRewrite(raw, rng) {
    if (raw.length < 4) return raw;
    if (rng.chance(0.3)) raw.writeUInt16BE(rng.int(65536), 2);
    else raw[2 + rng.int(2)]! ^= 1 << rng.int(8);
    return raw;
  },
  function longName(raw, rng) {
    const { labels } = layout(raw);
    if (labels.length === 0) return raw;
    const at = rng.pick(labels);
    const label = Buffer.alloc(64, 0x61);
    label[0] = rng.pick([63, 63, 62, 1]);
    const run = Buffer.concat(Array.from({ length: rng.range(1, 8) }, () => label.subarray(0, label[0]! + 1)));
    return Buffer.concat([raw.subarray(0, at), run, raw.subarray(at)]);
  },
];

/**
 * Applies `times` mutations chosen at random (bit flips, truncation, count
 * and length lies, pointer rewrites, splicing with `donor`, ...) to a copy
 * of `raw`; the original is left as it was.
 */
export function mutateMessage(raw: Buffer, rng: Rng, times: number, donor: Buffer): Buffer {
  let out: Buffer = Buffer.from(raw);
  for (let i = 0; i < times; i++) out = rng.pick(MUTATIONS)(out, rng, donor);
  return out;
}
