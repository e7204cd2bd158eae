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
 * flat list of strings, numbers, booleans and nulls in `values`, RECORD_VALUES for each answer followed by
 * HIT_VALUES for each of its hits. Structured cloning copies such a list several times faster than the same
 * records as nested objects (bench/README.md, solo.ts, "The workers' block records"), on the threads that answer.
 */
export interface HitBatch {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly values: readonly unknown[];
  readonly count: number;
}

/** An answer's values: its query's length in `bytes`, client, port, transport, listener, group (4), EDE, source, RCODE, whether a hit was applied, how many would have been (null: none listed). */
const RECORD_VALUES = 14;
/** A hit's values: zone, zoneIndex, trigger, via, kind, given (2), rule (2), step, name, address. */
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
    // Copied: a TCP query is a view into a larger read, which must not travel with it. At most HITS_AT_ONCE
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
    // The rule's local data is not carried: nothing downstream of an answer reads it.
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
      const length = values[at] as number;
      const meta: PacketMeta = { client: { address: values[at + 1] as string, port: values[at + 2] as number }, transport: values[at + 3] as Transport, listener: values[at + 4] as string };
      const groupName = values[at + 5] as string | null;
      const group: ClientGroup | undefined = groupName === null ? undefined : { name: groupName, index: values[at + 6] as number, upstreamSet: values[at + 7] as number, grouped: values[at + 8] as boolean };
      const ede = values[at + 9] as number | null;
      const source = values[at + 10] as AnswerSource;
      const rcode = values[at + 11] as number;
      const applied = values[at + 12] as boolean;
      const wouldHaveCount = values[at + 13] as number | null;
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
  const entry = zones.find(({ zone }) => zone.name === values[at]);
  if (entry === undefined) return null;
  const address = values[at + 11] as string | null;
  return {
    zone: entry.zone,
    zoneIndex: values[at + 1] as number,
    settings: entry.settings,
    trigger: values[at + 2] as TriggerType,
    via: values[at + 3] as string,
    kind: values[at + 4] as ActionKind,
    given: { kind: values[at + 5] as ActionKind, ttl: values[at + 6] as number },
    rule: { kind: values[at + 7] as ActionKind, ttl: values[at + 8] as number },
    step: values[at + 9] as number,
    name: values[at + 10] as string,
    ...(address !== null && { address }),
  };
}
