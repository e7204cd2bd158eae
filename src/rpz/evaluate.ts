import { unmapIPv4 } from '../dns/ipv4-mapped.js';
import { emptyReply } from '../dns/replies.js';
import { Rcode, RRType } from '../dns/types.js';
import { listRecords } from '../dns/wire.js';
import { cappedTtls } from '../cache/answer-ttl.js';
import { answerChain } from './answer-chain.js';
import { addressToBytes } from './ip-prefix.js';
import { targetQuery, type PolicyQuery } from './policy-query.js';
import type { ChainStep, PolicyHit, PolicySet, ZoneMask } from './policy-set.js';
import { rewrite, type StopPageRdata } from './rewrite.js';
import { isPending, whenReady, type Awaitable } from '../runtime/awaitable.js';

/** What the host's resolver gives back: the answer message (null: none to send), its RCODE, and where it came from if the host says. */
export interface Resolved {
  readonly message: Buffer | null;
  readonly rcode: number;
  /** The host's word for where the answer came from ("upstream", "cache"); the engine's own answers say "policy". */
  readonly source?: string;
}

/**
 * The host's cache and upstreams. The engine calls it with the client's own
 * query (its throw is the host's to turn into SERVFAIL) and with a redirect's
 * target (targetQuery: RD=1, ID 0; a throw there leaves the CNAME alone).
 * What it returns is never evaluated again when it answers a redirect.
 */
export type Resolve<Q extends PolicyQuery, R extends Resolved> = (query: Q) => Awaitable<R>;

/** Why an answer is what it is: the rule that decided it (PASSTHRU included) and the "would have" hits of zones with policy "disabled". */
export interface Provenance {
  readonly policy?: PolicyHit;
  readonly wouldHave?: readonly PolicyHit[];
}

/** An answer the policy made: a message it wrote, or none at all (message null: DROP, send nothing). */
export interface PolicyAnswer extends Provenance {
  readonly message: Buffer | null;
  readonly rcode: number;
  readonly source: 'policy';
}

/**
 * The policy's decision, finished: what to send (`message`; null sends
 * nothing) and why. Either a PolicyAnswer (source "policy"; `policy` unset
 * only for the SERVFAIL sent while a required zone is missing) or the
 * resolver's own answer: the very object it returned when no rule applies
 * and no disabled zone would have, else a copy with the provenance added
 * (PASSTHRU, TCP-only over TCP, a signed answer kept for a DO=1 client under
 * breakDnssec false, "would have" hits). A host that keeps its own fields on
 * R (Stopzone's Answer) gets them back, so its provenance needs no mapping.
 */
export type Decision<R extends Resolved> = PolicyAnswer | (R & Provenance);

const NO_STOP_PAGE: StopPageRdata = { a: [], aaaa: [] };

/**
 * The whole RPZ decision for one query (draft-vixie-dnsop-dns-rpz-00, BIND
 * 9's behaviour), with the host's resolver as `resolve`. Client-IP and QNAME
 * triggers first, answered at once unless an earlier zone has rpz-ip triggers
 * (then, as BIND, the answer is fetched first so that the earlier zone can
 * win) or the zone keeps signed answers for DO=1 clients (breakDnssec false).
 * On the answer: QNAME triggers on each CNAME of the chain and rpz-ip
 * triggers on each address (answer-chain.ts; a chain it cannot check to its
 * end throws). Redirect targets are resolved through `resolve` and not
 * evaluated again. Every query is evaluated whatever its RD bit. Until every
 * required zone has loaded once, the answer is SERVFAIL: never unfiltered.
 * `zones` (PolicySet.zonesFor: the client's group, now) limits the zones
 * looked at; null, every zone. Precedence stays the configured zone order.
 * With `at` (the same group and instant), no answer outlives a schedule
 * boundary that would change it (PolicySet.boundaryTtl; issue 19 item 4).
 */
export async function evaluate<Q extends PolicyQuery, R extends Resolved>(
  policy: PolicySet,
  query: Q,
  resolve: Resolve<Q, R>,
  stopPage: StopPageRdata = NO_STOP_PAGE,
  zones: ZoneMask | null = null,
  at: GroupAt | null = null,
): Promise<Decision<R>> {
  return decide(policy, query, resolve, stopPage, zones, at);
}

/**
 * evaluate's decision without the promise when none is needed: a decision made before resolution, or on an
 * answer `resolve` gives at once (a cache hit), is returned as it is, so a host can answer from the packet's
 * own callback. A throw of `resolve` made at once comes out of decide at once.
 */
export function decide<Q extends PolicyQuery, R extends Resolved>(
  policy: PolicySet,
  query: Q,
  resolve: Resolve<Q, R>,
  stopPage: StopPageRdata = NO_STOP_PAGE,
  zones: ZoneMask | null = null,
  at: GroupAt | null = null,
): Awaitable<Decision<R>> {
  if (policy.missingRequired.length > 0) return { message: emptyReply(query.raw, Rcode.SERVFAIL, query.questionEnd), source: 'policy', rcode: Rcode.SERVFAIL };
  const client = policy.hasClientIpTriggers ? addressToBytes(unmapIPv4(query.client.address)) : null;
  const before = policy.beforeResolution(query.question.lname, client, zones);
  if (before.hit !== null && !policy.mustWaitForAnswer(before.hit.zoneIndex) && !keepsSigned(query, before.hit)) {
    const early = apply(query, resolve, stopPage, before.hit, [], null, before.wouldHave);
    return at === null ? early : whenReady(early, (decision) => bounded(policy, query, decision, at, client, null));
  }
  // No closure for an answer given at once (a cache hit): it is decided here, in the packet's callback.
  const answer = resolve(query);
  if (!isPending(answer)) return onAnswer(policy, query, resolve, stopPage, zones, at, client, before, answer);
  return answer.then((resolved) => onAnswer(policy, query, resolve, stopPage, zones, at, client, before, resolved));
}

/** The decision once the answer is here: triggers on its CNAME chain and addresses, then the hit's action. */
function onAnswer<Q extends PolicyQuery, R extends Resolved>(
  policy: PolicySet,
  query: Q,
  resolve: Resolve<Q, R>,
  stopPage: StopPageRdata,
  zones: ZoneMask | null,
  at: GroupAt | null,
  client: Uint8Array | null,
  before: ReturnType<PolicySet['beforeResolution']>,
  answer: R,
): Awaitable<Decision<R>> {
  if (answer.message === null) return answer;
  const chain = answerChain(answer.message, query.questionEnd, query.question.lname, policy.hasIpTriggers);
  const after = chain === null ? null : policy.onAnswer(chain.steps, before.hit?.zoneIndex, before.hit === null ? undefined : 0, zones);
  const hit = after?.hit ?? before.hit;
  const wouldHave = after === null || after.wouldHave.length === 0 ? before.wouldHave : [...before.wouldHave, ...after.wouldHave];
  const decision: Awaitable<Decision<R>> =
    hit === null || (keepsSigned(query, hit) && isSigned(answer.message, query.questionEnd))
      ? wouldHave.length === 0
        ? answer
        : { ...answer, wouldHave }
      : apply(query, resolve, stopPage, hit, chain?.cnames.slice(0, hit.step) ?? [], answer, wouldHave);
  return at === null ? decision : whenReady(decision, (made) => bounded(policy, query, made, at, client, chain?.steps ?? null));
}

/** The client's group (0: "default") and the instant the zones in force were read at. */
export interface GroupAt {
  readonly group: number;
  readonly nowMs: number;
}

/**
 * The decision with every TTL capped at the seconds until a schedule changes it, if one will: the hit's zone
 * going out of force, or a zone asleep now that would match coming into force. The resolver's message is
 * copied, never patched (it may be the cache's); the cache keeps the uncapped answer, as it sits after policy.
 */
function bounded<R extends Resolved>(policy: PolicySet, query: PolicyQuery, decision: Decision<R>, at: GroupAt, client: Uint8Array | null, chain: readonly ChainStep[] | null): Decision<R> {
  if (decision.message === null) return decision;
  const cap = policy.boundaryTtl(at.group, at.nowMs, decision.policy?.zoneIndex ?? null, query.question.lname, client, chain);
  return cap === null ? decision : { ...decision, message: cappedTtls(decision.message, query.questionEnd, cap) };
}

/** The hit's action applied: a finished message, none, or the resolver's answer (fetched now if it was not yet). */
function apply<Q extends PolicyQuery, R extends Resolved>(
  query: Q,
  resolve: Resolve<Q, R>,
  stopPage: StopPageRdata,
  hit: PolicyHit,
  chain: Buffer[],
  upstream: R | null,
  wouldHave: readonly PolicyHit[],
): Awaitable<Decision<R>> {
  const result = rewrite(query, hit, chain, stopPage);
  if (result.kind === 'redirect') return redirected(query, resolve, stopPage, hit, chain, upstream, wouldHave, result.target);
  return applied(query, resolve, hit, result, upstream, wouldHave);
}

/** A walled garden's answer: the target resolved (a failure leaves the CNAME alone), then written. */
async function redirected<Q extends PolicyQuery, R extends Resolved>(
  query: Q,
  resolve: Resolve<Q, R>,
  stopPage: StopPageRdata,
  hit: PolicyHit,
  chain: Buffer[],
  upstream: R | null,
  wouldHave: readonly PolicyHit[],
  targetName: string,
): Promise<Decision<R>> {
  const target = targetQuery(query, targetName);
  const answer = await Promise.resolve()
    .then(() => resolve(target))
    .catch(() => null);
  const resolved = answer?.message == null ? null : { message: answer.message, questionEnd: target.questionEnd, rcode: answer.rcode };
  return applied(query, resolve, hit, rewrite(query, hit, chain, stopPage, resolved), upstream, wouldHave);
}

/** A rewrite's outcome as a decision, with the hit (and "would have" hits) as provenance. */
function applied<Q extends PolicyQuery, R extends Resolved>(
  query: Q,
  resolve: Resolve<Q, R>,
  hit: PolicyHit,
  result: ReturnType<typeof rewrite>,
  upstream: R | null,
  wouldHave: readonly PolicyHit[],
): Awaitable<Decision<R>> {
  switch (result.kind) {
    // Written out, not spread: a policy answer is made for every blocked query.
    case 'answer':
      return wouldHave.length === 0
        ? { message: result.message, source: 'policy', rcode: result.message[3]! & 0x0f, policy: hit }
        : { message: result.message, source: 'policy', rcode: result.message[3]! & 0x0f, policy: hit, wouldHave };
    case 'drop':
      return { message: null, source: 'policy', rcode: 0, ...provenanceOf(hit, wouldHave) };
    case 'redirect':
      throw new Error('a redirect is resolved before it is applied');
    default:
      return whenReady(upstream ?? resolve(query), (answer) => ({ ...answer, ...provenanceOf(hit, wouldHave) }));
  }
}

/** The hit and the "would have" hits, as a decision carries them (no empty list). */
function provenanceOf(hit: PolicyHit, wouldHave: readonly PolicyHit[]): Provenance {
  return wouldHave.length === 0 ? { policy: hit } : { policy: hit, wouldHave };
}

/** BIND's break-dnssec no: a DO=1 client's answer is not rewritten if it is signed, so it is looked at first. */
function keepsSigned(query: PolicyQuery, hit: PolicyHit): boolean {
  return query.edns?.dnssecOk === true && !hit.settings.breakDnssec;
}

/** Whether an answer carries RRSIG records (RFC 4035 section 3.1). */
function isSigned(message: Buffer, questionEnd: number): boolean {
  return (listRecords(message, questionEnd) ?? []).some((r) => r.type === RRType.RRSIG);
}

