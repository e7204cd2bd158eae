import { ActionKind } from './actions.js';
import { answerRecords, copyRecord, MessageWriter, QUESTION_NAME_POINTER } from '../dns/message-writer.js';
import { nameWire, wireToText } from '../dns/name-text.js';
import { Rcode, RRType } from '../dns/types.js';
import type { PolicyHit } from './policy-set.js';
import type { PolicyQuery } from './policy-query.js';

/** Stop page addresses as A/AAAA RDATA (length first). */
export interface StopPageRdata {
  readonly a: readonly Buffer[];
  readonly aaaa: readonly Buffer[];
}

/** A redirect target's answer as the host resolved it (its records follow the CNAME, its RCODE is the answer's). */
export interface TargetAnswer {
  readonly message: Buffer;
  readonly questionEnd: number;
  readonly rcode: number;
}

/**
 * What the policy makes of a query: a finished answer message, no answer
 * (DROP), the upstream's answer unchanged (PASSTHRU, TCP-only over TCP), or,
 * for a CNAME redirect (walled garden, local-data CNAME) asked without its
 * target's answer, the target to resolve first and hand to rewrite again.
 */
export type Rewrite =
  | { readonly kind: 'answer'; readonly message: Buffer }
  | { readonly kind: 'drop' }
  | { readonly kind: 'passthru' }
  | { readonly kind: 'redirect'; readonly target: string };


/**
 * Builds the policy answer (RPZ draft section 4, BIND's shape): owner
 * rewritten to the query name (or the chain name that matched), the chain's
 * CNAMEs kept before it, TTLs capped by maxPolicyTtl, AA=0, and the policy
 * zone's SOA in the additional section. A redirect's answer is its CNAME and
 * then `target`'s records (null: the target could not be resolved, the CNAME
 * goes alone); undefined asks for the target first.
 */
export function rewrite(query: PolicyQuery, hit: PolicyHit, chain: readonly Buffer[], stopPage: StopPageRdata, target?: TargetAnswer | null): Rewrite {
  const qtype = query.question.type;
  const maxTtl = hit.settings.maxPolicyTtl;
  switch (hit.kind) {
    case ActionKind.PASSTHRU:
      return { kind: 'passthru' };
    case ActionKind.DROP:
      return { kind: 'drop' };
    case ActionKind.TCP_ONLY:
      return query.transport === 'tcp' ? { kind: 'passthru' } : { kind: 'answer', message: start(query, chain, Rcode.NOERROR, true).toBuffer() };
    case ActionKind.NXDOMAIN:
      return { kind: 'answer', message: withSoa(start(query, chain, Rcode.NXDOMAIN), hit) };
    case ActionKind.NODATA:
      return { kind: 'answer', message: withSoa(start(query, chain, Rcode.NOERROR), hit) };
    case ActionKind.STOP_PAGE: {
      const writer = start(query, chain, Rcode.NOERROR);
      const owner = answerOwner(hit);
      const wanted = qtype === RRType.A || qtype === RRType.ANY ? stopPage.a : [];
      const wanted6 = qtype === RRType.AAAA || qtype === RRType.ANY ? stopPage.aaaa : [];
      for (const rdata of wanted) writer.add('answer', owner, RRType.A, Math.min(hit.rule.ttl, maxTtl), rdata);
      for (const rdata of wanted6) writer.add('answer', owner, RRType.AAAA, Math.min(hit.rule.ttl, maxTtl), rdata);
      return { kind: 'answer', message: withSoa(writer, hit) };
    }
    case ActionKind.GARDEN: {
      const name = `${hit.name}.${hit.rule.garden}`;
      if (target === undefined) return { kind: 'redirect', target: name };
      const writer = start(query, chain, Rcode.NOERROR).add('answer', answerOwner(hit), RRType.CNAME, Math.min(hit.rule.ttl, maxTtl), lengthPrefixed(nameWire(name)));
      return { kind: 'answer', message: redirected(writer, target) };
    }
    case ActionKind.LOCAL_DATA: {
      const local = hit.rule.local ?? [];
      const matching = local.filter((r) => qtype === RRType.ANY || r.type === qtype);
      const cname = local.find((r) => r.type === RRType.CNAME);
      if (matching.length === 0 && cname !== undefined && qtype !== RRType.CNAME) {
        if (target === undefined) return { kind: 'redirect', target: wireToText(cname.rdata.subarray(2)) };
        return { kind: 'answer', message: redirected(start(query, chain, Rcode.NOERROR).add('answer', answerOwner(hit), RRType.CNAME, Math.min(cname.ttl, maxTtl), cname.rdata), target) };
      }
      const writer = start(query, chain, Rcode.NOERROR);
      const owner = answerOwner(hit);
      for (const record of matching) writer.add('answer', owner, record.type, Math.min(record.ttl, maxTtl), record.rdata);
      return { kind: 'answer', message: withSoa(writer, hit) };
    }
    default:
      return { kind: 'passthru' };
  }
}

/** The owner of the records a rule writes: the query's name (the pointer to the question), or the chain's name that matched. */
function answerOwner(hit: PolicyHit): Buffer {
  return hit.step === 0 ? QUESTION_NAME_POINTER : nameWire(hit.name);
}

/** The answer's writer: the query's head and question, `rcode`, and the chain's CNAMEs first. */
function start(query: PolicyQuery, chain: readonly Buffer[], rcode: number, truncated = false): MessageWriter {
  const writer = new MessageWriter(query.raw, query.questionEnd, rcode, { truncated });
  for (const record of chain) writer.addRaw('answer', record);
  return writer;
}

/** The answer finished with the policy zone's SOA in the additional section (its TTL capped, as every record's). */
function withSoa(writer: MessageWriter, hit: PolicyHit): Buffer {
  const soa = hit.zone.soa;
  if (soa !== null) writer.add('additional', hit.zone.nameWire, RRType.SOA, Math.min(soa.ttl, hit.settings.maxPolicyTtl), soa.rdata);
  return writer.toBuffer();
}

/** The redirect's CNAME, then the target's answer records with its RCODE (none when it could not be resolved). */
function redirected(writer: MessageWriter, target: TargetAnswer | null): Buffer {
  if (target !== null) {
    for (const record of answerRecords(target.message, target.questionEnd)) {
      const copy = copyRecord(target.message, record);
      if (copy !== null) writer.addRaw('answer', copy);
    }
    writer.setRcode(target.rcode);
  }
  return writer.toBuffer();
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length + 2);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}
