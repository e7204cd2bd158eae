import { BlockList, isIP } from 'node:net';
import type { Logger } from 'pino';
import { emptyReply } from '../dns/replies.js';
import { Rcode } from '../dns/types.js';
import { messageFault } from '../dns/message-fault.js';
import { readQuestion } from '../dns/wire.js';
import type { PacketMeta } from '../server/decode-query.js';
import type { PolicyZones } from './policy-zones.js';
import { splitPrimary } from './zone-transfer/tcp-exchange.js';
import { hasTsig, signMessage, verifyRequest } from './zone-transfer/tsig.js';

/** DNS opcode NOTIFY (RFC 1996). */
export const OPCODE_NOTIFY = 4;

/**
 * Answers NOTIFY messages (RFC 1996) for zones with primaries, then checks
 * the zone's SOA at once. Accepted only from the zone's listed primaries
 * (address, any port: primaries send from ephemeral ports) and, when the
 * zone has a TSIG key, only when signed with it (the answer is signed too).
 * Anything else is refused and logged: REFUSED for an unknown sender,
 * NOTAUTH for a zone we are not a secondary of or a bad signature. A
 * malformed message (messageFault) throws: the packet handler answers
 * FORMERR and logs it at debug, as for any malformed packet.
 */
export function notifyResponder(zones: PolicyZones, log: Logger): (raw: Buffer, meta: PacketMeta) => Buffer | null {
  return (raw, meta) => {
    const fault = messageFault(raw);
    if (fault !== null) throw new Error(`malformed NOTIFY: ${fault}`);
    if (raw.readUInt16BE(4) !== 1) return emptyReply(raw, Rcode.FORMERR);
    const read = readQuestion(raw);
    if (read === null) return emptyReply(raw, Rcode.FORMERR);
    const zone = read.question.name;
    const from = meta.client.address.replace(/^::ffff:/, '');
    const refuse = (rcode: number, reason: string): Buffer => {
      log.warn({ zone, from, reason }, `NOTIFY for ${zone} from ${from} refused: ${reason}`);
      return reply(raw, read.end, rcode);
    };
    const secondary = zones.secondary(zone);
    if (secondary === null) return refuse(Rcode.NOTAUTH, 'not a zone this server transfers from primaries');
    if (!secondary.primaries.some((primary) => sameAddress(splitPrimary(primary).host, from))) {
      return refuse(Rcode.REFUSED, `${from} is not one of its primaries (${secondary.primaries.join(', ')})`);
    }
    let answer = reply(raw, read.end, Rcode.NOERROR);
    if (secondary.key !== undefined) {
      let verified: { mac: Buffer } | null;
      try {
        verified = verifyRequest(raw, secondary.key);
      } catch (error) {
        return refuse(Rcode.NOTAUTH, (error as Error).message);
      }
      if (verified === null) return refuse(Rcode.NOTAUTH, `not signed with TSIG key ${secondary.key.name}`);
      answer = signMessage(answer, secondary.key, { requestMac: verified.mac }).message;
    } else if (hasTsig(raw)) {
      return refuse(Rcode.NOTAUTH, 'signed with TSIG, but no key is configured for the zone');
    }
    log.info({ zone, from, via: meta.transport }, `NOTIFY for ${zone} from ${from}: checking the primaries`);
    void zones.refresh(secondary.index);
    return answer;
  };
}

/** The NOTIFY response: the question echoed, QR and AA set (RFC 1996 section 4.7), no records. */
function reply(raw: Buffer, questionEnd: number, rcode: number): Buffer {
  const answer = emptyReply(raw, rcode, questionEnd);
  answer[2] = 0x80 | (OPCODE_NOTIFY << 3) | 0x04;
  answer[3] = rcode & 0x0f;
  return answer;
}

/** Whether two addresses are the same (net.BlockList compares IPv6 in any notation). */
function sameAddress(a: string, b: string): boolean {
  const family = isIP(a) === 6 ? 'ipv6' : 'ipv4';
  if ((isIP(b) === 6 ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new BlockList();
  list.addAddress(a, family);
  return list.check(b, family);
}
