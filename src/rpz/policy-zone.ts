import { nameWire } from '../dns/name-text.js';
import type { ActionKind } from './actions.js';
import type { LocalRecord } from './local-data.js';
import type { WarningSummary } from './load-warnings.js';
import { NameIndex, type NameIndexParts } from './name-index.js';
import { PrefixIndex, type PrefixIndexParts } from './prefix-index.js';
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

/** One value per IP-prefix trigger type: a zone's prefix indexes, their parts, or builders of them. */
export interface PrefixTriple<T> {
  readonly clientIp: T;
  readonly ip: T;
  readonly nsip: T;
}

/** `triple` with `f` applied to each of its three values. */
export function mapPrefixTriple<A, B>(triple: PrefixTriple<A>, f: (value: A) => B): PrefixTriple<B> {
  return { clientIp: f(triple.clientIp), ip: f(triple.ip), nsip: f(triple.nsip) };
}

/** The indexes of one zone, one per trigger type. */
export interface ZoneIndexes extends PrefixTriple<PrefixIndex> {
  readonly qname: NameIndex;
  readonly nsdname: NameIndex;
}

/** The constructor's input. */
interface PolicyZoneInput {
  name: string;
  indexes: ZoneIndexes;
  stats: ZoneStats;
  soa: PolicyZone['soa'];
  kinds: Uint8Array;
  ttls: Uint32Array;
  dataLayers: readonly RuleDataLayer[];
  /** The owner labels of IP-trigger rules by rule id, in layers like the rule data. */
  prefixOwnerLayers: ReadonlyArray<ReadonlyMap<number, string>>;
}

/** Rule data (gardens, local data) by rule id; a zone changed by deltas has one layer per delta that brought any. */
type RuleDataLayer = ReadonlyMap<number, Pick<Rule, 'garden' | 'local'>>;

/**
 * What applying an IXFR delta needs of the zone in force (zone-delta.ts):
 * plain data whose big arrays are in SharedArrayBuffers, so a worker thread
 * reads them without a copy on the thread that answers queries.
 */
export interface DeltaBase {
  readonly names: { readonly qname: NameIndexParts; readonly nsdname: NameIndexParts };
  readonly prefixes: PolicyZoneData['prefixes'];
  readonly kinds: Uint8Array;
  readonly ttls: Uint32Array;
  readonly stats: ZoneStats;
  /** Layers of rule data or of prefix owners, whichever are more (see PolicyZone.edited). */
  readonly dataLayers: number;
}

/** A zone changed by a delta, as plain data: PolicyZone.edited puts it together with the zone it was applied to. */
export interface ZoneEdit {
  readonly names: { readonly qname: NameIndexParts; readonly nsdname: NameIndexParts };
  readonly kinds: Uint8Array;
  readonly ttls: Uint32Array;
  /** Rule data of the delta's new rules. */
  readonly data: PolicyZoneData['data'];
  readonly stats: ZoneStats;
  readonly soa: PolicyZoneData['soa'];
  /** The IP-prefix indexes, when the delta changed IP triggers (otherwise those in force stay). */
  readonly prefixes?: PolicyZoneData['prefixes'];
  /** The owners of the delta's new IP-trigger rules. */
  readonly prefixOwners: PolicyZoneData['prefixOwners'];
}

/**
 * A PolicyZone as plain data (typed arrays, arrays, numbers, strings), which
 * structured clone copies and transfer moves between threads: a zone is
 * built in a worker and handed to the thread that answers queries.
 */
export interface PolicyZoneData {
  readonly name: string;
  readonly stats: ZoneStats;
  readonly soa: { readonly ttl: number; readonly rdata: Uint8Array } | null;
  readonly kinds: Uint8Array;
  readonly ttls: Uint32Array;
  readonly data: ReadonlyArray<[number, { garden?: string; local?: ReadonlyArray<{ type: number; ttl: number; rdata: Uint8Array }> }]>;
  readonly prefixOwners: ReadonlyArray<[number, string]>;
  readonly names: { readonly qname: NameIndexParts; readonly nsdname: NameIndexParts };
  readonly prefixes: PrefixTriple<PrefixIndexParts>;
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
  /** The zone's name in wire form, the SOA's owner: encoded once, not for every policy answer. */
  readonly nameWire: Buffer;
  readonly #kinds: Uint8Array;
  readonly #ttls: Uint32Array;
  readonly #dataLayers: readonly RuleDataLayer[];
  readonly #prefixOwnerLayers: ReadonlyArray<ReadonlyMap<number, string>>;

  constructor(parts: PolicyZoneInput) {
    this.name = parts.name;
    this.indexes = parts.indexes;
    this.stats = parts.stats;
    this.soa = parts.soa;
    this.nameWire = nameWire(parts.name);
    this.#kinds = parts.kinds;
    this.#ttls = parts.ttls;
    this.#dataLayers = parts.dataLayers;
    this.#prefixOwnerLayers = parts.prefixOwnerLayers;
  }

  /** The zone as plain data; `PolicyZone.fromData` rebuilds it (in another thread). */
  toData(): PolicyZoneData {
    const { qname, nsdname } = this.indexes;
    return {
      name: this.name,
      stats: this.stats,
      soa: this.soa,
      kinds: this.#kinds,
      ttls: this.#ttls,
      data: this.#dataLayers.flatMap((layer) => [...layer]),
      prefixOwners: this.#prefixOwnerLayers.flatMap((layer) => [...layer]),
      names: { qname: qname.parts(), nsdname: nsdname.parts() },
      prefixes: mapPrefixTriple(this.indexes, (index) => index.parts()),
    };
  }

  /** The typed arrays `toData` holds, to transfer rather than copy them. */
  static transferList(data: PolicyZoneData): ArrayBuffer[] {
    const tables = [data.names.qname.table, data.names.nsdname.table].flatMap((t) => [t.records, t.exact, t.wild, t.bytes]);
    const prefixes = Object.values(data.prefixes).flatMap((p) => [p.v4, p.v6]).flatMap((t) => [t.keys, t.tags, t.values]);
    const buffers = new Set([data.kinds, data.ttls, ...tables, ...prefixes].map((array) => array.buffer));
    // SharedArrayBuffers are shared by postMessage as they are, and cannot be transferred.
    return [...buffers].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer && buffer.byteLength > 0);
  }

  /** Rebuilds a zone from `toData()` (Buffers arrive as Uint8Arrays after structured clone). */
  static fromData(data: PolicyZoneData): PolicyZone {
    return new PolicyZone({
      name: data.name,
      stats: data.stats,
      soa: soaFromData(data.soa),
      kinds: data.kinds,
      ttls: data.ttls,
      dataLayers: [ruleDataFromData(data.data)],
      prefixOwnerLayers: [new Map(data.prefixOwners)],
      indexes: {
        qname: new NameIndex(data.names.qname),
        nsdname: new NameIndex(data.names.nsdname),
        ...mapPrefixTriple(data.prefixes, PrefixIndex.fromParts),
      },
    });
  }

  /** What a delta applied to this zone needs of it (zone-delta.ts). */
  deltaBase(): DeltaBase {
    return {
      names: { qname: this.indexes.qname.parts(), nsdname: this.indexes.nsdname.parts() },
      prefixes: mapPrefixTriple(this.indexes, (index) => index.parts()),
      kinds: this.#kinds,
      ttls: this.#ttls,
      stats: this.stats,
      dataLayers: Math.max(this.#dataLayers.length, this.#prefixOwnerLayers.length),
    };
  }

  /**
   * The zone `base` changed by `edit` (from zone-delta.ts, applied to
   * `base.deltaBase()`). It shares what the delta left alone: the IP-prefix
   * indexes when it touched no IP trigger and, as lower layers, the rule data
   * and prefix owners. A delta that brings no rule data (or no IP-trigger
   * rule) adds no layer; zone-delta.ts builds the zone anew when layers pile up.
   */
  static edited(base: PolicyZone, edit: ZoneEdit): PolicyZone {
    const added = ruleDataFromData(edit.data);
    const { prefixes } = edit;
    return new PolicyZone({
      name: base.name,
      stats: edit.stats,
      soa: soaFromData(edit.soa),
      kinds: edit.kinds,
      ttls: edit.ttls,
      dataLayers: added.size === 0 ? base.#dataLayers : [added, ...base.#dataLayers],
      prefixOwnerLayers: edit.prefixOwners.length === 0 ? base.#prefixOwnerLayers : [new Map(edit.prefixOwners), ...base.#prefixOwnerLayers],
      indexes: {
        qname: new NameIndex(edit.names.qname),
        nsdname: new NameIndex(edit.names.nsdname),
        ...(prefixes === undefined ? mapPrefixTriple(base.indexes, (index) => index) : mapPrefixTriple(prefixes, PrefixIndex.fromParts)),
      },
    });
  }

  /** The owner labels of an IP-prefix rule ("24.0.2.0.192"), for logs. */
  prefixOwner(id: number): string {
    for (const layer of this.#prefixOwnerLayers) {
      const owner = layer.get(id);
      if (owner !== undefined) return owner;
    }
    return '';
  }

  /** The rule with this id (ids come from this zone's indexes). */
  rule(id: number): Rule {
    return { kind: this.#kinds[id] as ActionKind, ttl: this.#ttls[id]!, ...this.#ruleData(id) };
  }

  #ruleData(id: number): Pick<Rule, 'garden' | 'local'> | undefined {
    for (const layer of this.#dataLayers) {
      const data = layer.get(id);
      if (data !== undefined) return data;
    }
    return undefined;
  }

  /** Whether the zone has triggers of this type (BIND waits for recursion when an earlier zone has IP triggers). */
  has(type: TriggerType): boolean {
    return [this.indexes.clientIp.size, this.indexes.qname.size, this.indexes.ip.size, this.indexes.nsdname.size, this.indexes.nsip.size][type]! > 0;
  }
}

/** A Buffer over bytes that arrived as a Uint8Array (structured clone does not keep Buffers). */
function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function soaFromData(soa: PolicyZoneData['soa']): PolicyZone['soa'] {
  return soa === null ? null : { ttl: soa.ttl, rdata: buffer(soa.rdata) };
}

function ruleDataFromData(data: PolicyZoneData['data']): Map<number, Pick<Rule, 'garden' | 'local'>> {
  return new Map(
    data.map(([id, rule]) => [
      id,
      {
        ...(rule.garden !== undefined && { garden: rule.garden }),
        ...(rule.local !== undefined && { local: rule.local.map((record) => ({ type: record.type, ttl: record.ttl, rdata: buffer(record.rdata) })) }),
      },
    ]),
  );
}
