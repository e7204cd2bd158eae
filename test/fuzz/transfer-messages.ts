import { wireToText } from '../../src/dns/name-text.js';
import { mutateMessage } from './mutate.js';
import { inputRng, type Rng } from './rng.js';
import { Flag, layout, message, nameBytes, question, record } from './wire.js';

/**
 * Zone-transfer responses: for input `index`, a policy zone of random
 * records (triggers whose owners hold octets a master file must escape,
 * local data, unknown types, out-of-zone owners), sent as an AXFR, as IXFR
 * deltas or an up-to-date SOA, split into messages, then, half the time,
 * broken: messages dropped, repeated or swapped, or bytes mutated.
 */

export const TRANSFER_ZONE = 'xfr.rpz';
const ZONE_WIRE = nameBytes(TRANSFER_ZONE);
/** The serial a secondary holds before an IXFR; its copy is baseZone(). */
export const HELD_SERIAL = 1;

/** A generated transfer: the messages for the query, and what the zone must block when they were not broken. */
export interface TransferInput {
  readonly messages: Buffer[];
  /** Trigger names (canonical text) the loaded zone must hold; null when the messages were mutated. */
  readonly expected: string[] | null;
}

function soa(serial: number): Buffer {
  const rdata = Buffer.concat([nameBytes(`ns.${TRANSFER_ZONE}`), nameBytes(`hostmaster.${TRANSFER_ZONE}`), Buffer.alloc(20)]);
  rdata.writeUInt32BE(serial >>> 0, rdata.length - 20);
  rdata.writeUInt32BE(3600, rdata.length - 16);
  rdata.writeUInt32BE(600, rdata.length - 12);
  rdata.writeUInt32BE(86400, rdata.length - 8);
  rdata.writeUInt32BE(60, rdata.length - 4);
  return record(ZONE_WIRE, 6, 300, rdata);
}

/** A label with octets a master file must escape: dot, backslash, quote, semicolon, space, parentheses, NUL, high octets. */
function oddLabel(rng: Rng): Buffer {
  const octets = Array.from({ length: rng.range(1, 10) }, () => (rng.chance(0.5) ? rng.pick([0x2e, 0x5c, 0x22, 0x3b, 0x20, 0x28, 0x29, 0x00, 0x40, 0x24, 0x7f, 0xff, 0x0a]) : rng.range(0x61, 0x7a)));
  return Buffer.from([octets.length, ...octets]);
}

/** The wire name <label>.fuzz.test.xfr.rpz. */
function owner(label: Buffer): Buffer {
  return Buffer.concat([label, nameBytes(`fuzz.test.${TRANSFER_ZONE}`)]);
}

function plainLabel(text: string): Buffer {
  return Buffer.concat([Buffer.from([text.length]), Buffer.from(text)]);
}

/** One record of the zone, and the trigger name it makes (canonical text), if any. */
function zoneRecord(rng: Rng, n: number): { bytes: Buffer; trigger: string | null } {
  const label = rng.chance(0.4) ? oddLabel(rng) : plainLabel(`n${n}`);
  const name = owner(label);
  const trigger = wireToText(name).slice(0, -(TRANSFER_ZONE.length + 1));
  switch (rng.int(8)) {
    case 0:
    case 1:
    case 2:
      return { bytes: record(name, 5, 300, Buffer.from([0])), trigger };
    case 3:
      return { bytes: record(Buffer.concat([Buffer.from([1, 0x2a]), name]), 5, 300, Buffer.from([0])), trigger: `*.${trigger}` };
    case 4: {
      const strings = Array.from({ length: rng.range(1, 3) }, () => {
        const text = rng.chance(0.5) ? rng.bytes(rng.int(40)) : Buffer.from('say "hi"; \\ ok');
        return Buffer.concat([Buffer.from([text.length]), text]);
      });
      return { bytes: record(name, 16, 300, Buffer.concat(strings)), trigger: null };
    }
    case 5:
      return { bytes: record(nameBytes(`32.${rng.int(256)}.2.0.192.rpz-ip.${TRANSFER_ZONE}`), 5, 300, Buffer.from([0])), trigger: null };
    case 6: {
      // Opaque types only for random RDATA: SPF (99) and others have a shape of their own, which a broken one fails.
      const [type, length] = rng.pick([[1, 4], [28, 16], [65534, rng.int(20)], [65280, rng.int(20)]] as const);
      return { bytes: record(name, type, 300, rng.bytes(length)), trigger: null };
    }
    default:
      return { bytes: record(name, 5, 300, Buffer.concat([oddLabel(rng), nameBytes('target.test')])), trigger: null };
  }
}

/** The records of a zone of `size` records, and its triggers. */
function zoneRecords(rng: Rng, size: number): { records: Buffer[]; triggers: string[] } {
  const records: Buffer[] = [];
  const triggers: string[] = [];
  for (let n = 0; n < size; n++) {
    const { bytes, trigger } = zoneRecord(rng, n);
    records.push(bytes);
    if (trigger !== null) triggers.push(trigger);
  }
  return { records, triggers };
}

/** The copy a secondary holds at HELD_SERIAL before an IXFR round trip (the same for every input). */
export function baseZone(): { records: Buffer[]; triggers: string[] } {
  return zoneRecords(inputRng(0, 0), 20);
}

/** Splits answer records into messages; the first carries the question (RFC 5936 section 2.2). */
function messages(rng: Rng, id: number, qtype: number, answers: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, first = true; at < answers.length || first; first = false) {
    const take = rng.range(1, Math.max(1, Math.ceil(answers.length / rng.range(1, 4))));
    const part = answers.slice(at, at + take);
    at += take;
    out.push(message({ id, flags: Flag.QR | Flag.AA }, first || rng.chance(0.2) ? [question(ZONE_WIRE, qtype)] : [], part));
  }
  return out;
}

/** The responses to `query` (an AXFR, an IXFR from HELD_SERIAL, or a SOA query) for input `index`. */
export function transferResponses(seed: number, index: number, query: Buffer): TransferInput {
  const rng = inputRng(seed, index);
  const id = query.readUInt16BE(0);
  const qtype = query.readUInt16BE(layout(query).questionEnd - 4);
  const newSerial = rng.pick([2, 3, 100, 2 ** 31 + 5, HELD_SERIAL]);
  let answers: Buffer[];
  let expected: string[] = [];
  if (qtype === 6) answers = [soa(newSerial)];
  else if (qtype === 251 && rng.chance(0.6)) {
    const base = baseZone();
    const removed = base.records.filter(() => rng.chance(0.3));
    const added = zoneRecords(rng, rng.range(0, 20));
    answers = [soa(newSerial), soa(HELD_SERIAL), ...removed, soa(newSerial), ...added.records, soa(newSerial)];
    if (newSerial === HELD_SERIAL) answers = [soa(HELD_SERIAL)];
    expected = added.triggers;
  } else {
    const zone = zoneRecords(rng, rng.chance(0.9) ? rng.range(0, 60) : rng.range(200, 1500));
    answers = [soa(newSerial), ...zone.records, soa(newSerial)];
    expected = zone.triggers;
  }
  const sent = messages(rng, id, qtype, answers);
  if (rng.chance(0.5)) return { messages: sent, expected };
  const broken = [...sent];
  const at = rng.int(broken.length);
  switch (rng.int(5)) {
    case 0:
      broken.splice(at, 1);
      break;
    case 1:
      broken.splice(at, 0, broken[at]!);
      break;
    case 2:
      broken.reverse();
      break;
    default: {
      const mutated = mutateMessage(broken[at]!, rng, rng.range(1, 3), query);
      if (mutated.length >= 2 && rng.chance(0.7)) mutated.writeUInt16BE(id, 0);
      broken[at] = mutated;
    }
  }
  return { messages: broken, expected: null };
}
