import { answerRecords, copyRecord } from '../../dns/message-writer.js';
import { queryBytes } from '../../dns/query-bytes.js';
import { unmapIPv4 } from '../../dns/ipv4-mapped.js';
import { emptyReply } from '../../dns/replies.js';
import { Rcode, RRType } from '../../dns/types.js';
import { listRecords, readQuestion } from '../../dns/wire.js';
import { addressToBytes } from '../../rpz/ip-prefix.js';
import type { PolicySource } from '../../rpz/policy-holder.js';
import type { PolicyHit, PolicySet } from '../../rpz/policy-set.js';
import { rewrite, type StopPageRdata } from '../../rpz/rewrite.js';
import { answerChain } from '../answer-chain.js';
import type { Answer, Next, Query } from '../../model/query.js';
import type { Stage } from '../../model/query.js';

/**
 * RPZ (draft-vixie-dnsop-dns-rpz-00, BIND 9's behaviour). Before the cache
 * and the upstreams: Client-IP and QNAME triggers, answered at once unless an
 * earlier zone has rpz-ip triggers (then, as BIND, the answer is fetched
 * first so that the earlier zone can win). On every answer that comes back,
 * cached or fresh: QNAME triggers on each CNAME of the chain and rpz-ip
 * triggers on each address. A rewritten answer is never cached (the cache
 * stage sits after this one) and never evaluated again. Every query is
 * evaluated whatever its RD bit (BIND skips RD=0 queries unless
 * recursive-only is off; here RD=0 is answered from the cache only, so it must
 * be checked like the rest). A chain policy cannot check to its end throws:
 * SERVFAIL.
 */
export function policyStage(source: PolicySource, stopPage: StopPageRdata): Stage {
  return async (query, next) => {
    const policy = source.current();
    if (policy.empty) return next(query);
    // Never unfiltered: until every required zone has loaded once, nothing is forwarded.
    if (policy.missingRequired.length > 0) return { message: emptyReply(query.raw, Rcode.SERVFAIL, query.questionEnd), source: 'policy', rcode: Rcode.SERVFAIL };
    const client = policy.hasClientIpTriggers ? addressToBytes(unmapIPv4(query.client.address)) : null;
    const before = policy.beforeResolution(query.question.lname, client);
    // BIND's break-dnssec no: a DO=1 client's answer is not rewritten if it is signed, so look at it first.
    const keepsSigned = (hit: PolicyHit): boolean => query.edns?.dnssecOk === true && !hit.settings.breakDnssec;
    if (before.hit !== null && !policy.mustWaitForAnswer(before.hit.zoneIndex) && !keepsSigned(before.hit)) {
      return apply(query, next, before.hit, [], null, before.wouldHave);
    }

    const answer = await next(query);
    if (answer.message === null) return answer;
    const chain = answerChain(answer.message, query.questionEnd, query.question.lname, policy.hasIpTriggers);
    const after = chain === null ? null : policy.onAnswer(chain.steps, before.hit?.zoneIndex, before.hit === null ? undefined : 0);
    const hit = after?.hit ?? before.hit;
    const wouldHave = after === null || after.wouldHave.length === 0 ? before.wouldHave : [...before.wouldHave, ...after.wouldHave];
    if (hit === null || (keepsSigned(hit) && isSigned(answer.message, query.questionEnd))) return wouldHave.length === 0 ? answer : { ...answer, wouldHave };
    return apply(query, next, hit, chain?.cnames.slice(0, hit.step) ?? [], answer, wouldHave);
  };

  async function apply(query: Query, next: Next, hit: PolicyHit, chain: Buffer[], upstream: Answer | null, wouldHave: readonly PolicyHit[]): Promise<Answer> {
    const result = rewrite({ raw: query.raw, questionEnd: query.questionEnd, qtype: query.question.type, transport: query.transport }, hit, chain, stopPage);
    const provenance = { policy: hit, ...(wouldHave.length > 0 && { wouldHave }) };
    switch (result.kind) {
      case 'answer':
        return { message: result.message, source: 'policy', rcode: result.message[3]! & 0x0f, ...provenance };
      case 'drop':
        return { message: null, source: 'policy', rcode: 0, ...provenance };
      case 'passthru':
        return { ...(upstream ?? (await next(query))), ...provenance };
      case 'resolve': {
        // The redirect's target is resolved through the cache and upstreams, and not evaluated again.
        const raw = queryBytes(result.target, query.question.type);
        const targetQuery: Query = { ...query, raw, id: 0, rd: true, questionEnd: readQuestion(raw)!.end, question: readQuestion(raw)!.question };
        const target = await next(targetQuery).catch(() => null);
        if (target?.message != null) {
          for (const record of answerRecords(target.message, targetQuery.questionEnd)) {
            const copy = copyRecord(target.message, record);
            if (copy !== null) result.writer.addRaw('answer', copy);
          }
          result.writer.setRcode(target.rcode);
        }
        const message = result.writer.toBuffer();
        return { message, source: 'policy', rcode: message[3]! & 0x0f, ...provenance };
      }
    }
  }
}

/** Whether an answer carries RRSIG records (RFC 4035 section 3.1). */
function isSigned(message: Buffer, questionEnd: number): boolean {
  return (listRecords(message, questionEnd) ?? []).some((r) => r.type === RRType.RRSIG);
}

