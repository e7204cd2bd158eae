import { ActionKind } from './actions.js';
import { MessageWriter, QUESTION_NAME_POINTER } from '../dns/message-writer.js';
import { nameWire, wireToText } from '../dns/name-text.js';
import { Rcode, RRType } from '../dns/types.js';
import { STOP_PAGE, type PolicyHit } from './policy-set.js';

/** The query being rewritten, as raw bytes and its question. */
export interface RewriteQuery {
  readonly raw: Buffer;
  readonly questionEnd: number;
  readonly qtype: number;
  readonly transport: 'udp' | 'tcp';
}

/** Stop page addresses as A/AAAA RDATA (length first). */
export interface StopPageRdata {
  readonly a: readonly Buffer[];
  readonly aaaa: readonly Buffer[];
}

/**
 * What the policy makes of a query: an answer message, no answer (DROP),
 * the upstream's answer unchanged (PASSTHRU, TCP-only over TCP), or a CNAME
 * whose target must still be resolved through the upstreams (not re-evaluated)
 * and appended.
 */
export type Rewrite =
  | { readonly kind: 'answer'; readonly message: Buffer }
  | { readonly kind: 'drop' }
  | { readonly kind: 'passthru' }
  | { readonly kind: 'resolve'; readonly writer: MessageWriter; readonly target: string; readonly ttl: number };

const ANY = 255;

/**
 * Builds the policy answer (RPZ draft section 4, BIND's shape): owner
 * rewritten to the query name (or the chain name that matched), the chain's
 * CNAMEs kept before it, TTLs capped by maxPolicyTtl, AA=0, and the policy
 * zone's SOA in the additional section.
 */
export function rewrite(query: RewriteQuery, hit: PolicyHit, chain: readonly Buffer[], stopPage: StopPageRdata): Rewrite {
  const cap = (ttl: number): number => Math.min(ttl, hit.settings.maxPolicyTtl);
  const owner = hit.step === 0 ? QUESTION_NAME_POINTER : nameWire(hit.name);
  const start = (rcode: number, truncated = false): MessageWriter => {
    const writer = new MessageWriter(query.raw, query.questionEnd, rcode, { truncated });
    for (const record of chain) writer.addRaw('answer', record);
    return writer;
  };
  const withSoa = (writer: MessageWriter): Buffer => {
    const soa = hit.zone.soa;
    if (soa !== null) writer.add('additional', nameWire(hit.zone.name), RRType.SOA, cap(soa.ttl), soa.rdata);
    return writer.toBuffer();
  };

  switch (hit.kind) {
    case ActionKind.PASSTHRU:
      return { kind: 'passthru' };
    case ActionKind.DROP:
      return { kind: 'drop' };
    case ActionKind.TCP_ONLY:
      return query.transport === 'tcp' ? { kind: 'passthru' } : { kind: 'answer', message: start(Rcode.NOERROR, true).toBuffer() };
    case ActionKind.NXDOMAIN:
      return { kind: 'answer', message: withSoa(start(Rcode.NXDOMAIN)) };
    case ActionKind.NODATA:
      return { kind: 'answer', message: withSoa(start(Rcode.NOERROR)) };
    case STOP_PAGE: {
      const writer = start(Rcode.NOERROR);
      const wanted = query.qtype === RRType.A || query.qtype === ANY ? stopPage.a : [];
      const wanted6 = query.qtype === RRType.AAAA || query.qtype === ANY ? stopPage.aaaa : [];
      for (const rdata of wanted) writer.add('answer', owner, RRType.A, cap(hit.rule.ttl), rdata);
      for (const rdata of wanted6) writer.add('answer', owner, RRType.AAAA, cap(hit.rule.ttl), rdata);
      return { kind: 'answer', message: withSoa(writer) };
    }
    case ActionKind.GARDEN: {
      const target = `${hit.name}.${hit.rule.garden}`;
      const rdata = lengthPrefixed(nameWire(target));
      return { kind: 'resolve', writer: start(Rcode.NOERROR).add('answer', owner, RRType.CNAME, cap(hit.rule.ttl), rdata), target, ttl: cap(hit.rule.ttl) };
    }
    case ActionKind.LOCAL_DATA: {
      const local = hit.rule.local ?? [];
      const matching = local.filter((r) => query.qtype === ANY || r.type === query.qtype);
      const cname = local.find((r) => r.type === RRType.CNAME);
      const writer = start(Rcode.NOERROR);
      if (matching.length === 0 && cname !== undefined && query.qtype !== RRType.CNAME) {
        writer.add('answer', owner, RRType.CNAME, cap(cname.ttl), cname.rdata);
        return { kind: 'resolve', writer, target: wireToText(cname.rdata.subarray(2)), ttl: cap(cname.ttl) };
      }
      for (const record of matching) writer.add('answer', owner, record.type, cap(record.ttl), record.rdata);
      return { kind: 'answer', message: withSoa(writer) };
    }
    default:
      return { kind: 'passthru' };
  }
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length + 2);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}
