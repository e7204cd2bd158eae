import type { ActionKind } from '../rpz/actions.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import type { PolicyHit } from '../rpz/policy-set.js';
import type { TriggerType } from '../rpz/triggers.js';
import type { Answer, AnswerSource, ClientGroup, PacketMeta, Query } from '../model/query.js';
import { decodeQuery } from './decode-query.js';
import type { AnswerObserver } from './handle-packet.js';

/** A rule that fired in a worker, as plain data: what the block log and the stop page read of a PolicyHit. */
interface HitData {
  readonly zone: string;
  readonly zoneIndex: number;
  readonly trigger: TriggerType;
  readonly via: string;
  readonly kind: ActionKind;
  readonly given: { readonly kind: ActionKind; readonly ttl: number };
  readonly rule: { readonly kind: ActionKind; readonly ttl: number };
  readonly step: number;
  readonly name: string;
  readonly address?: string;
}

/** One answer on which a rule fired in a worker thread, posted to the main thread, the block log's one writer. */
export interface HitRecord {
  /** The query as received (a few dozen bytes): decoded again on the main thread into the same Query. */
  readonly raw: Uint8Array;
  readonly meta: PacketMeta;
  readonly group: ClientGroup | undefined;
  readonly ede: number | null;
  readonly source: AnswerSource;
  readonly rcode: number;
  readonly policy?: HitData;
  readonly wouldHave?: readonly HitData[];
}

/** The record of one answer (a worker's AnswerObserver work, on answers where a rule fired). */
export function hitRecord(query: Query, answer: Answer, ede: number | null): HitRecord {
  return {
    // Its own bytes: a TCP query is a view into a larger read, all of which a view would take along.
    raw: new Uint8Array(query.raw),
    meta: { client: query.client, transport: query.transport, listener: query.listener },
    group: query.group,
    ede,
    source: answer.source,
    rcode: answer.rcode,
    ...(answer.policy !== undefined && { policy: hitData(answer.policy) }),
    ...(answer.wouldHave !== undefined && { wouldHave: answer.wouldHave.map(hitData) }),
  };
}

function hitData(hit: PolicyHit): HitData {
  const { zone, zoneIndex, trigger, via, kind, given, rule, step, name, address } = hit;
  return { zone: zone.name, zoneIndex, trigger, via, kind, given: { kind: given.kind, ttl: given.ttl }, rule: { kind: rule.kind, ttl: rule.ttl }, step, name, ...(address !== undefined && { address }) };
}

/**
 * Hands records posted by workers to `observe` (the block log, the stop page's memory) as the Query and Answer
 * they were made from: the query decoded again from its bytes with the group the worker gave it, each hit
 * with the zone and settings of that name in the policy in force here (the rule's local data is not carried:
 * nothing downstream of an answer reads it). Nothing is kept between records, so no replaced policy version
 * stays alive here; a hit whose zone is not in force here (none leaves the set while Stopzone runs) is left out.
 */
export function hitReceiver(policy: PolicySource, observe: AnswerObserver): (record: HitRecord) => void {
  const revive = (data: HitData): PolicyHit | null => {
    const entry = policy.current().zones.find(({ zone }) => zone.name === data.zone);
    return entry === undefined ? null : { ...data, zone: entry.zone, settings: entry.settings };
  };
  return (record) => {
    const decoded = decodeQuery(Buffer.from(record.raw.buffer, record.raw.byteOffset, record.raw.byteLength), record.meta, record.group === undefined ? undefined : () => record.group!);
    if (decoded.kind !== 'query') return;
    const hit = record.policy === undefined ? null : revive(record.policy);
    const wouldHave = record.wouldHave?.map(revive).filter((h): h is PolicyHit => h !== null);
    const answer: Answer = { message: null, source: record.source, rcode: record.rcode, ...(hit !== null && { policy: hit }), ...(wouldHave !== undefined && { wouldHave }) };
    observe(decoded.query, answer, record.ede);
  };
}
