import { isIP } from 'node:net';
import { emptyReply } from '../dns/replies.js';
import { Rcode } from '../dns/types.js';
import { listRecords } from '../dns/wire.js';
import { answerChain } from './answer-chain.js';
import { addressToBytes } from './ip-prefix.js';
import { targetQuery, type PolicyQuery } from './policy-query.js';
import type { PolicyHit, PolicySet } from './policy-set.js';
import { rewrite, type StopPageRdata } from './rewrite.js';

/** What the host's resolver gives back: the answer message (null: none to send) and its RCODE. */
export interface Resolved {
  readonly message: Buffer | null;
  readonly rcode: number;
}

/**
 * The host's cache and upstreams. The engine calls it with the client's own
 * query (its throw is the host's to turn into SERVFAIL) and with a redirect's
 * target (targetQuery: RD=1, ID 0; a throw there leaves the CNAME alone).
 * What it returns is never evaluated again when it answers a redirect.
 */
export type Resolve<Q extends PolicyQuery, R extends Resolved> = (query: Q) => Promise<R>;

/**
 * The policy's decision, finished: `answer` is a message the policy wrote
 * (`hit` null only for the SERVFAIL sent while a required zone is missing);
 * `drop` sends nothing; `resolved` is the resolver's own answer, unchanged
 * (no hit, PASSTHRU, TCP-only over TCP, or a signed answer kept for a DO=1
 * client under breakDnssec false). `wouldHave` lists the hits of zones with
 * policy "disabled", for the log.
 */
export type Decision<R extends Resolved> =
  | { readonly kind: 'answer'; readonly message: Buffer; readonly rcode: number; readonly hit: PolicyHit | null; readonly wouldHave: readonly PolicyHit[] }
  | { readonly kind: 'drop'; readonly hit: PolicyHit; readonly wouldHave: readonly PolicyHit[] }
  | { readonly kind: 'resolved'; readonly answer: R; readonly hit: PolicyHit | null; readonly wouldHave: readonly PolicyHit[] };

const NONE: readonly PolicyHit[] = Object.freeze([]);
const NO_STOP_PAGE: StopPageRdata = { a: [], aaaa: [] };
const RRSIG = 46;

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
 */
export async function evaluate<Q extends PolicyQuery, R extends Resolved>(
  policy: PolicySet,
  query: Q,
  resolve: Resolve<Q, R>,
  stopPage: StopPageRdata = NO_STOP_PAGE,
): Promise<Decision<R>> {
  if (policy.missingRequired.length > 0) {
    return { kind: 'answer', message: emptyReply(query.raw, Rcode.SERVFAIL, query.questionEnd), rcode: Rcode.SERVFAIL, hit: null, wouldHave: NONE };
  }
  const client = policy.hasClientIpTriggers ? addressToBytes(clientAddress(query.client.address)) : null;
  const before = policy.beforeResolution(query.question.lname, client);
  if (before.hit !== null && !policy.mustWaitForAnswer(before.hit.zoneIndex) && !keepsSigned(query, before.hit)) {
    return apply(query, resolve, stopPage, before.hit, [], null, before.wouldHave);
  }

  const answer = await resolve(query);
  if (answer.message === null) return { kind: 'resolved', answer, hit: null, wouldHave: NONE };
  const chain = answerChain(answer.message, query.questionEnd, query.question.lname, policy.hasIpTriggers);
  const after = chain === null ? null : policy.onAnswer(chain.steps, before.hit?.zoneIndex, before.hit === null ? undefined : 0);
  const hit = after?.hit ?? before.hit;
  const wouldHave = after === null || after.wouldHave.length === 0 ? before.wouldHave : [...before.wouldHave, ...after.wouldHave];
  if (hit === null || (keepsSigned(query, hit) && isSigned(answer.message, query.questionEnd))) return { kind: 'resolved', answer, hit: null, wouldHave };
  return apply(query, resolve, stopPage, hit, chain?.cnames.slice(0, hit.step) ?? [], answer, wouldHave);
}

/** The hit's action applied: a finished message, nothing, or the resolver's answer (fetched now if it was not yet). */
async function apply<Q extends PolicyQuery, R extends Resolved>(
  query: Q,
  resolve: Resolve<Q, R>,
  stopPage: StopPageRdata,
  hit: PolicyHit,
  chain: Buffer[],
  upstream: R | null,
  wouldHave: readonly PolicyHit[],
): Promise<Decision<R>> {
  let result = rewrite(query, hit, chain, stopPage);
  if (result.kind === 'redirect') {
    const target = targetQuery(query, result.target);
    const answer = await resolve(target).catch(() => null);
    const resolved = answer?.message == null ? null : { message: answer.message, questionEnd: target.questionEnd, rcode: answer.rcode };
    result = rewrite(query, hit, chain, stopPage, resolved);
  }
  switch (result.kind) {
    case 'answer':
      return { kind: 'answer', message: result.message, rcode: result.message[3]! & 0x0f, hit, wouldHave };
    case 'drop':
      return { kind: 'drop', hit, wouldHave };
    default:
      return { kind: 'resolved', answer: upstream ?? (await resolve(query)), hit, wouldHave };
  }
}

/** BIND's break-dnssec no: a DO=1 client's answer is not rewritten if it is signed, so it is looked at first. */
function keepsSigned(query: PolicyQuery, hit: PolicyHit): boolean {
  return query.edns?.dnssecOk === true && !hit.settings.breakDnssec;
}

/** Whether an answer carries RRSIG records (RFC 4035 section 3.1). */
function isSigned(message: Buffer, questionEnd: number): boolean {
  return (listRecords(message, questionEnd) ?? []).some((r) => r.type === RRSIG);
}

/** An IPv4-mapped IPv6 client (::ffff:192.0.2.1) is its IPv4 address. */
function clientAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
