import { mutateMessage } from './mutate.js';
import { LISTED_NAME, UNLISTED_NAME, WILDCARD_PARENT } from './policy.js';
import { inputRng, type Rng } from './rng.js';
import { ednsOption, Flag, message, nameBytes, optRecord, question, record } from './wire.js';

/**
 * Client packets: a query built from random choices of every field a client
 * controls (flags, opcode, name, type, class, EDNS and its options), then,
 * more often than not, mutated at the byte level. A few are random bytes.
 */

const QTYPES = [1, 1, 1, 28, 28, 5, 2, 6, 12, 15, 16, 33, 35, 43, 46, 47, 48, 50, 64, 65, 99, 251, 252, 255, 0, 41, 250, 65535, 256, 32769];
const CLASSES = [3, 4, 254, 255, 0, 2, 65535];
const UDP_SIZES = [0, 1, 511, 512, 1232, 1400, 4096, 65535];
const CHECK_NAMES = [LISTED_NAME, `x.${WILDCARD_PARENT}`, UNLISTED_NAME, 'viaip.ok.fuzz.test', 'viaip6.ok.fuzz.test', 'chain.ok.fuzz.test', 'vianet.ok.fuzz.test'];

function label(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += 'abcdefghijklmnopqrstuvwxyz0123456789-_'[rng.int(38)];
  return out;
}

/** A name in presentation form, escapes allowed. */
function name(rng: Rng): string {
  const roll = rng.int(100);
  if (roll < 25) return rng.pick(CHECK_NAMES);
  if (roll < 45) return `r${rng.int(1_000_000)}.ok.fuzz.test`;
  if (roll < 55) return `${label(rng, rng.range(1, 20))}.${WILDCARD_PARENT}`;
  if (roll < 62) {
    // Octets a name may hold but text tools trip on: NUL, dot, backslash, spaces, high octets.
    const octets = Array.from({ length: rng.range(1, 12) }, () => `\\${String(rng.pick([0, 0x2e, 0x5c, 0x20, 0x7f, 0xff, 0x80, rng.int(256)])).padStart(3, '0')}`);
    return `${octets.join('')}.${rng.pick([LISTED_NAME, 'ok.fuzz.test', WILDCARD_PARENT])}`;
  }
  if (roll < 65) return '.';
  if (roll < 70) return rng.chance(0.5) ? Array.from({ length: 4 }, () => label(rng, 63)).join('.') : Array.from({ length: 127 }, () => 'a').join('.');
  if (roll < 76) return [...rng.pick(CHECK_NAMES)].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('');
  if (roll < 80) return rng.pick(['fuzz.rpz', '32.66.2.0.192.rpz-ip', 'rpz-passthru', 'localhost', 'local', '1.0.0.127.in-addr.arpa']);
  return Array.from({ length: rng.range(1, 6) }, () => label(rng, rng.range(1, 15))).join('.');
}

function ecs(rng: Rng): Buffer {
  const v6 = rng.chance(0.4);
  const max = v6 ? 128 : 32;
  const source = rng.chance(0.9) ? rng.int(max + 1) : rng.int(256);
  const bytes = rng.chance(0.9) ? Math.ceil(Math.min(source, max) / 8) : rng.int(20);
  const head = Buffer.from([0, v6 ? 2 : rng.chance(0.95) ? 1 : rng.int(256), source, rng.chance(0.9) ? 0 : rng.int(256)]);
  return ednsOption(8, Buffer.concat([head, rng.bytes(bytes)]));
}

function options(rng: Rng): Buffer[] {
  return Array.from({ length: rng.int(4) }, () => {
    switch (rng.int(7)) {
      case 0:
      case 1:
        return ecs(rng);
      case 2:
        return ednsOption(10, rng.bytes(rng.pick([8, 16, 24, 40, 5, 41])));
      case 3:
        return ednsOption(12, Buffer.alloc(rng.int(200)));
      case 4:
        return ednsOption(rng.pick([3, 9, 11, 15]), rng.bytes(rng.pick([0, 0, 2, 6])));
      default:
        return ednsOption(rng.int(65536), rng.bytes(rng.int(40)));
    }
  });
}

/** A query as a client could write it, valid or nearly so. */
function query(rng: Rng): Buffer {
  const opcode = rng.chance(0.9) ? 0 : rng.pick([1, 2, 3, 4, 5, 6, 15]);
  let flags = (opcode << 11) | (rng.chance(0.8) ? Flag.RD : 0) | (rng.chance(0.2) ? Flag.CD : 0) | (rng.chance(0.1) ? Flag.AD : 0);
  if (rng.chance(0.02)) flags |= Flag.QR;
  if (rng.chance(0.02)) flags |= Flag.TC;
  if (rng.chance(0.03)) flags |= Flag.Z;
  if (rng.chance(0.03)) flags |= rng.int(16);
  const owner = rng.chance(0.04) ? Buffer.from([0xc0, rng.pick([0, 4, 12, 13])]) : nameBytes(name(rng));
  const questions = [question(owner, rng.chance(0.7) ? rng.pick(QTYPES.slice(0, 5)) : rng.pick(QTYPES), rng.chance(0.85) ? 1 : rng.pick(CLASSES))];
  if (rng.chance(0.03)) questions.push(question(nameBytes(name(rng)), 1));
  const answers = rng.chance(0.04) ? [record(Buffer.from([0xc0, 12]), 1, 60, Buffer.from([192, 0, 2, 66]))] : [];
  const additionals: Buffer[] = [];
  if (rng.chance(0.6)) {
    const opt = (): Buffer => optRecord(rng.pick(UDP_SIZES), options(rng), rng.chance(0.4), rng.chance(0.9) ? 0 : rng.pick([1, 255]), rng.chance(0.95) ? 0 : rng.int(256));
    additionals.push(opt());
    if (rng.chance(0.03)) additionals.push(opt());
  }
  if (rng.chance(0.02)) additionals.push(record(nameBytes('key.fuzz.test'), 250, 0, rng.bytes(rng.int(64)), 255));
  return message({ id: rng.int(65536), flags }, questions, answers, [], additionals);
}

/** Client packet `index` of the run seeded with `seed` (the same bytes every time). */
export function clientPacket(seed: number, index: number): Buffer {
  const rng = inputRng(seed, index);
  if (rng.chance(0.04)) return rng.bytes(rng.int(600));
  const base = query(rng);
  if (rng.chance(0.45)) return base;
  return mutateMessage(base, rng, rng.range(1, 4), query(rng));
}
