import type { ActionKind } from '../rpz/actions.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import type { PolicyHit } from '../rpz/policy-set.js';
import type { TriggerType } from '../rpz/triggers.js';
import type { Answer, AnswerSource, ClientGroup, PacketMeta, Query, Transport } from '../model/query.js';
import { decodeQuery } from './decode-query.js';
import type { AnswerObserver } from './handle-packet.js';

/**
 * The answers on which a rule fired in a worker thread, as posted to the main thread (the block log's one
 * writer): the queries' bytes end to end in `bytes` (its buffer transferred, not copied), everything else a
 * flat list of strings, numbers, booleans and nulls in `values`, RECORD_VALUES for each answer (laid out as
 * RECORD says) followed by HIT_VALUES for each of its hits (as HIT says). Structured cloning copies such a list
 * several times faster than the same records as nested objects (bench/README.md, solo.ts, "The workers' block
 * records"), on the threads that answer.
 */
export interface HitBatch {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly values: readonly unknown[];
  readonly count: number;
}

/** Where each of an answer's values is among its RECORD_VALUES (HitBatcher.add pushes them in this order). */
const RECORD = { length: 0, address: 1, port: 2, transport: 3, listener: 4, groupName: 5, groupIndex: 6, upstreamSet: 7, grouped: 8, ede: 9, source: 10, rcode: 11, applied: 12, wouldHave: 13 } as const;
const RECORD_VALUES = 14;
/** Where each of a hit's values is among its HIT_VALUES (HitBatcher's #addHit pushes them in this order). */
const HIT = { zone: 0, zoneIndex: 1, trigger: 2, via: 3, kind: 4, givenKind: 5, givenTtl: 6, ruleKind: 7, ruleTtl: 8, step: 9, name: 10, address: 11 } as const;
const HIT_VALUES = 12;
/** The first batch's room for query bytes: 256 queries of 64 bytes (it grows when a batch needs more). */
const FIRST_BYTES = 16_384;

/** The worker's side: records gathered as they come, taken as one HitBatch to post. */
export class HitBatcher {
  #bytes = new Uint8Array(FIRST_BYTES);
  #used = 0;
  #values: unknown[] = [];
  #count = 0;

  /** Records gathered since the last take(). */
  get count(): number {
    return this.#count;
  }

  /** Gathers the record of one answer on which a rule fired (a worker's AnswerObserver work). */
  add(query: Query, answer: Answer, ede: number | null): void {
    const raw = query.raw;
    if (this.#used + raw.length > this.#bytes.length) this.#grow(raw.length);
    // In RECORD's order. Copied: a TCP query is a view into a larger read, which must not travel with it. At most HITS_AT_ONCE
    // queries of at most 64 KiB each are gathered before the worker posts them (answer-worker.ts).
    this.#bytes.set(raw, this.#used);
    this.#used += raw.length;
    const { client, group } = query;
    this.#values.push(raw.length, client.address, client.port, query.transport, query.listener);
    if (group === undefined) this.#values.push(null, 0, 0, false);
    else this.#values.push(group.name, group.index, group.upstreamSet, group.grouped);
    this.#values.push(ede, answer.source, answer.rcode, answer.policy !== undefined, answer.wouldHave?.length ?? null);
    if (answer.policy !== undefined) this.#addHit(answer.policy);
    if (answer.wouldHave !== undefined) for (const hit of answer.wouldHave) this.#addHit(hit);
    this.#count++;
  }

  /** The records gathered, to post with `bytes.buffer` transferred; gathering starts afresh. */
  take(): HitBatch {
    const batch = { bytes: this.#bytes.subarray(0, this.#used), values: this.#values, count: this.#count };
    this.#bytes = new Uint8Array(FIRST_BYTES);
    this.#used = 0;
    this.#values = [];
    this.#count = 0;
    return batch;
  }

  #addHit(hit: PolicyHit): void {
    // In HIT's order. The rule's local data is not carried: nothing downstream of an answer reads it.
    this.#values.push(hit.zone.name, hit.zoneIndex, hit.trigger, hit.via, hit.kind, hit.given.kind, hit.given.ttl, hit.rule.kind, hit.rule.ttl, hit.step, hit.name, hit.address ?? null);
  }

  #grow(needed: number): void {
    const bigger = new Uint8Array(Math.max(2 * this.#bytes.length, this.#used + needed));
    bigger.set(this.#bytes.subarray(0, this.#used));
    this.#bytes = bigger;
  }
}

/**
 * The main thread's side: hands each record of a batch to `observe` (the block log, the stop page's memory) as
 * the Query and Answer it was made from: the query decoded again from its bytes with the group the worker gave
 * it, each hit with the zone and settings of that name in the policy in force here. Nothing is kept between
 * batches, so no replaced policy version stays alive here; a hit whose zone is not in force here (none leaves
 * the set while Stopzone runs) is left out.
 */
export function hitReceiver(policy: PolicySource, observe: AnswerObserver): (batch: HitBatch) => void {
  return ({ bytes, values, count }) => {
    const zones = policy.current().zones;
    let offset = 0;
    let at = 0;
    for (let record = 0; record < count; record++) {
      const length = values[at + RECORD.length] as number;
      const meta: PacketMeta = {
        client: { address: values[at + RECORD.address] as string, port: values[at + RECORD.port] as number },
        transport: values[at + RECORD.transport] as Transport,
        listener: values[at + RECORD.listener] as string,
      };
      const groupName = values[at + RECORD.groupName] as string | null;
      const group: ClientGroup | undefined =
        groupName === null ? undefined : { name: groupName, index: values[at + RECORD.groupIndex] as number, upstreamSet: values[at + RECORD.upstreamSet] as number, grouped: values[at + RECORD.grouped] as boolean };
      const ede = values[at + RECORD.ede] as number | null;
      const source = values[at + RECORD.source] as AnswerSource;
      const rcode = values[at + RECORD.rcode] as number;
      const applied = values[at + RECORD.applied] as boolean;
      const wouldHaveCount = values[at + RECORD.wouldHave] as number | null;
      at += RECORD_VALUES;
      const hit = applied ? revive(zones, values, at) : null;
      if (applied) at += HIT_VALUES;
      let wouldHave: PolicyHit[] | undefined;
      if (wouldHaveCount !== null) {
        wouldHave = [];
        for (let i = 0; i < wouldHaveCount; i++, at += HIT_VALUES) {
          const revived = revive(zones, values, at);
          if (revived !== null) wouldHave.push(revived);
        }
      }
      const raw = Buffer.from(bytes.buffer, bytes.byteOffset + offset, length);
      offset += length;
      const decoded = decodeQuery(raw, meta, group === undefined ? undefined : () => group);
      if (decoded.kind !== 'query') continue;
      const answer: Answer = { message: null, source, rcode, ...(hit !== null && { policy: hit }), ...(wouldHave !== undefined && { wouldHave }) };
      observe(decoded.query, answer, ede);
    }
  };
}

/** The hit whose values start at `at`, with its zone and settings as in force here; null when its zone is not. */
function revive(zones: ReturnType<PolicySource['current']>['zones'], values: readonly unknown[], at: number): PolicyHit | null {
  const entry = zones.find(({ zone }) => zone.name === values[at + HIT.zone]);
  if (entry === undefined) return null;
  const address = values[at + HIT.address] as string | null;
  return {
    zone: entry.zone,
    zoneIndex: values[at + HIT.zoneIndex] as number,
    settings: entry.settings,
    trigger: values[at + HIT.trigger] as TriggerType,
    via: values[at + HIT.via] as string,
    kind: values[at + HIT.kind] as ActionKind,
    given: { kind: values[at + HIT.givenKind] as ActionKind, ttl: values[at + HIT.givenTtl] as number },
    rule: { kind: values[at + HIT.ruleKind] as ActionKind, ttl: values[at + HIT.ruleTtl] as number },
    step: values[at + HIT.step] as number,
    name: values[at + HIT.name] as string,
    ...(address !== null && { address }),
  };
}
