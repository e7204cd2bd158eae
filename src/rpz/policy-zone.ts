import type { ActionKind } from './actions.js';
import type { LocalRecord } from './local-data.js';
import type { WarningSummary } from './load-warnings.js';
import type { NameIndex } from './name-index.js';
import type { PrefixIndex } from './prefix-index.js';
import type { TriggerType } from './triggers.js';

/** What a rule does, as the zone says it (before any per-zone policy override). */
export interface Rule {
  readonly kind: ActionKind;
  /** The record's TTL (capped by maxPolicyTtl when answered). */
  readonly ttl: number;
  /** GARDEN: the garden the query name is prepended to. */
  readonly garden?: string;
  /** LOCAL_DATA: the records, a CNAME redirect included. */
  readonly local?: readonly LocalRecord[];
}

/** Counts for `stopzone check` and the load log line. */
export interface ZoneStats {
  readonly records: number;
  readonly triggers: Readonly<Record<string, number>>;
  readonly actions: Readonly<Record<string, number>>;
  readonly warnings: readonly WarningSummary[];
  /** The SOA serial as written (may exceed 32 bits in real feeds). */
  readonly serial: string | null;
}

/** The indexes of one zone, one per trigger type. */
export interface ZoneIndexes {
  readonly qname: NameIndex;
  readonly nsdname: NameIndex;
  readonly clientIp: PrefixIndex;
  readonly ip: PrefixIndex;
  readonly nsip: PrefixIndex;
}

/**
 * One loaded policy zone: read-only indexes from trigger to rule id, and the
 * rules themselves in typed arrays (a million `CNAME .` rules cost a byte and
 * four bytes each, not an object each); only rules with data of their own
 * (local data, gardens) have an object.
 */
export class PolicyZone {
  readonly name: string;
  readonly indexes: ZoneIndexes;
  readonly stats: ZoneStats;
  /** The zone's SOA RDATA and TTL, for the additional section of policy answers. */
  readonly soa: { readonly ttl: number; readonly rdata: Buffer } | null;
  readonly #kinds: Uint8Array;
  readonly #ttls: Uint32Array;
  readonly #data: ReadonlyMap<number, Pick<Rule, 'garden' | 'local'>>;
  readonly #prefixOwners: ReadonlyMap<number, string>;

  constructor(parts: {
    name: string;
    indexes: ZoneIndexes;
    stats: ZoneStats;
    soa: PolicyZone['soa'];
    kinds: Uint8Array;
    ttls: Uint32Array;
    data: ReadonlyMap<number, Pick<Rule, 'garden' | 'local'>>;
    prefixOwners: ReadonlyMap<number, string>;
  }) {
    this.name = parts.name;
    this.indexes = parts.indexes;
    this.stats = parts.stats;
    this.soa = parts.soa;
    this.#kinds = parts.kinds;
    this.#ttls = parts.ttls;
    this.#data = parts.data;
    this.#prefixOwners = parts.prefixOwners;
  }

  /** The owner labels of an IP-prefix rule ("24.0.2.0.192"), for logs. */
  prefixOwner(id: number): string {
    return this.#prefixOwners.get(id) ?? '';
  }

  /** The rule with this id (ids come from this zone's indexes). */
  rule(id: number): Rule {
    return { kind: this.#kinds[id] as ActionKind, ttl: this.#ttls[id]!, ...this.#data.get(id) };
  }

  /** Whether the zone has triggers of this type (BIND waits for recursion when an earlier zone has IP triggers). */
  has(type: TriggerType): boolean {
    return [this.indexes.clientIp.size, this.indexes.qname.size, this.indexes.ip.size, this.indexes.nsdname.size, this.indexes.nsip.size][type]! > 0;
  }
}
