import { ACTION_NAMES } from '../rpz/actions.js';
import { TRIGGER_NAMES } from '../rpz/triggers.js';
import type { Answer, Query } from '../model/query.js';

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
/** RCODEs counted one by one (with EDNS they reach 4095; BADVERS is 16); larger ones share the last slot. */
const RCODE_SLOTS = 32;
const TRANSPORTS = ['udp', 'tcp'] as const;
const CACHE_RESULTS = ['hit', 'stale', 'miss'] as const;
const HIT_SLOTS = ACTION_NAMES.length * TRIGGER_NAMES.length;

/** One labelled count, as /metrics shows it. */
export interface LabelledCount<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly value: number;
}

/**
 * The per-query counts behind /metrics, kept as plain numbers: counting a query is an array add (and, for a
 * policy hit, two map lookups by strings the query already holds), with no label hashing and no key string
 * built per query. LoopMetrics.families reads them when /metrics is scraped.
 */
export class AnswerCounts {
  readonly #queries = new Float64Array(TRANSPORTS.length * RCODE_SLOTS);
  readonly #cache = new Float64Array(CACHE_RESULTS.length);
  /** group name -> zone name -> count per (action, trigger). */
  readonly #hits = new Map<string, Map<string, Float64Array>>();

  /** Counts one answered query (an AnswerObserver's work). */
  count(query: Query, answer: Answer): void {
    this.#queries[(query.transport === 'udp' ? 0 : RCODE_SLOTS) + Math.min(answer.rcode, RCODE_SLOTS - 1)]!++;
    const source = answer.source;
    if (source === 'cache') this.#cache[0]!++;
    else if (source === 'stale') this.#cache[1]!++;
    else if (source === 'upstream') this.#cache[2]!++;
    const hit = answer.policy;
    if (hit === undefined) return;
    const group = query.group?.name ?? 'default';
    let zones = this.#hits.get(group);
    if (zones === undefined) this.#hits.set(group, (zones = new Map()));
    let counts = zones.get(hit.zone.name);
    if (counts === undefined) zones.set(hit.zone.name, (counts = new Float64Array(HIT_SLOTS)));
    counts[hit.kind * TRIGGER_NAMES.length + hit.trigger]!++;
  }

  /** Queries by transport and RCODE, those counted so far. */
  *queries(): Iterable<LabelledCount<'transport' | 'rcode'>> {
    for (const [t, transport] of TRANSPORTS.entries()) {
      for (let rcode = 0; rcode < RCODE_SLOTS; rcode++) {
        const value = this.#queries[t * RCODE_SLOTS + rcode]!;
        if (value > 0) yield { labels: { transport, rcode: RCODE_NAMES[rcode] ?? String(rcode) }, value };
      }
    }
  }

  /** Cache lookups by result. */
  *cacheLookups(): Iterable<LabelledCount<'result'>> {
    for (const [i, result] of CACHE_RESULTS.entries()) if (this.#cache[i]! > 0) yield { labels: { result }, value: this.#cache[i]! };
  }

  /** Policy hits by zone, action, trigger and client group. */
  *policyHits(): Iterable<LabelledCount<'zone' | 'action' | 'trigger' | 'group'>> {
    for (const [group, zones] of this.#hits) {
      for (const [zone, counts] of zones) {
        for (let slot = 0; slot < HIT_SLOTS; slot++) {
          const value = counts[slot]!;
          if (value === 0) continue;
          const action = ACTION_NAMES[Math.floor(slot / TRIGGER_NAMES.length)]!;
          const trigger = TRIGGER_NAMES[slot % TRIGGER_NAMES.length]!;
          yield { labels: { zone, action, trigger, group }, value };
        }
      }
    }
  }
}
