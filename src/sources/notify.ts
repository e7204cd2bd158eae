import type { Logger } from 'pino';
import { unmapIPv4 } from '../dns/ipv4-mapped.js';
import { emptyReply } from '../dns/replies.js';
import { Rcode } from '../dns/types.js';
import { messageFault } from '../dns/message-fault.js';
import { readQuestion } from '../dns/wire.js';
import { RepeatedLines } from '../observe/repeated-lines.js';
import type { PacketMeta } from '../model/query.js';
import { NotifyChecks } from './notify-checks.js';
import type { PolicyZones } from './policy-zones.js';
import { SeenMacs } from './zone-transfer/tsig-replay.js';
import { hasTsig, signMessage, verifyRequest } from './zone-transfer/tsig.js';

/** DNS opcode NOTIFY (RFC 1996). */
export const OPCODE_NOTIFY = 4;

/** TSIG error BADTIME (RFC 8945 section 3). */
const BADTIME = 18;

/** What the responder shares with the server: its clock, its log limiter, its check coalescer. */
export interface NotifyOptions {
  readonly now?: () => number;
  readonly lines?: RepeatedLines;
  /** Coalesces the SOA checks NOTIFYs start (by default one of its own, on `now`). */
  readonly checks?: NotifyChecks;
}

/**
 * Answers NOTIFY messages (RFC 1996) for zones with primaries, then checks
 * the zone's SOA, at most once a second per zone however many NOTIFYs come
 * (NotifyChecks). Accepted only from the zone's listed primaries (address,
 * any port: primaries send from ephemeral ports) and, when the zone has a
 * TSIG key, only when signed with it and not a copy of a NOTIFY already
 * accepted (the answer is signed too). Anything else is refused: REFUSED for
 * an unknown sender, NOTAUTH for a zone we are not a secondary of or a bad
 * signature, NOTAUTH with TSIG error BADTIME for a replay. Each refusal is
 * logged, the first of a minute in full and the rest counted (a flood of
 * forged NOTIFYs must not become a flood of log lines). A malformed message
 * (messageFault) throws: the packet handler answers FORMERR and logs it at
 * debug, as for any malformed packet.
 */
export function notifyResponder(zones: PolicyZones, log: Logger, options: NotifyOptions = {}): (raw: Buffer, meta: PacketMeta) => Buffer | null {
  const now = options.now ?? Date.now;
  const lines = options.lines ?? new RepeatedLines(log, { now });
  const checks = options.checks ?? new NotifyChecks((index) => zones.refresh(index, 'notify'), { now });
  const seen = new SeenMacs({ now });
  return (raw, meta) => {
    const fault = messageFault(raw);
    if (fault !== null) throw new Error(`malformed NOTIFY: ${fault}`);
    if (raw.readUInt16BE(4) !== 1) return emptyReply(raw, Rcode.FORMERR);
    const read = readQuestion(raw);
    if (read === null) return emptyReply(raw, Rcode.FORMERR);
    const zone = read.question.name;
    const from = unmapIPv4(meta.client.address);
    const refuse = (rcode: number, reason: string, answer = reply(raw, read.end, rcode)): Buffer => {
      if (lines.admit('NOTIFY refused', 'warn')) log.warn({ zone, from, reason }, `NOTIFY for ${zone} from ${from} refused: ${reason}`);
      return answer;
    };
    const secondary = zones.secondary(zone);
    if (secondary === null) return refuse(Rcode.NOTAUTH, 'not a zone this server transfers from primaries');
    // Both in the kernel's form: the primary's host is compressed IPv6 (config/address.ts), the source unmapped.
    if (!secondary.primaries.some((primary) => primary.host === from)) {
      return refuse(Rcode.REFUSED, `${from} is not one of its primaries (${secondary.primaries.map((primary) => primary.label).join(', ')})`);
    }
    let answer = reply(raw, read.end, Rcode.NOERROR);
    if (secondary.key !== undefined) {
      let verified: ReturnType<typeof verifyRequest>;
      try {
        verified = verifyRequest(raw, secondary.key, { now });
      } catch (error) {
        return refuse(Rcode.NOTAUTH, (error as Error).message);
      }
      if (verified === null) return refuse(Rcode.NOTAUTH, `not signed with TSIG key ${secondary.key.name}`);
      if (!seen.fresh(verified.mac, verified.timeSigned, verified.fudge)) {
        // RFC 8945 section 5.2.3: BADTIME, signed, Time Signed the request's, our time in Other Data.
        const ours = Buffer.alloc(6);
        ours.writeUIntBE(Math.floor(now() / 1000), 0, 6);
        const badtime = signMessage(reply(raw, read.end, Rcode.NOTAUTH), secondary.key, { requestMac: verified.mac, now: () => verified.timeSigned * 1000, error: BADTIME, otherData: ours });
        return refuse(Rcode.NOTAUTH, 'a copy of a signed NOTIFY already accepted (replayed); TSIG error BADTIME', badtime.message);
      }
      answer = signMessage(answer, secondary.key, { requestMac: verified.mac, now }).message;
    } else if (hasTsig(raw)) {
      return refuse(Rcode.NOTAUTH, 'signed with TSIG, but no key is configured for the zone');
    }
    const check = checks.request(secondary.index);
    if (lines.admit(`NOTIFY accepted for ${zone}`, 'info')) {
      const what = check === 'now' ? 'checking the primaries' : 'the primaries are checked again within a second';
      log.info({ zone, from, via: meta.transport, check }, `NOTIFY for ${zone} from ${from}: ${what}`);
    }
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
