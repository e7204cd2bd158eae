import { ActionKind, cnameAction, ZONE_ACTION_NAMES } from './actions.js';
import { decodePrefixLabels, type IpPrefix } from './ip-prefix.js';
import { LoadWarnings, type WarningSummary } from './load-warnings.js';
import { canonicalName, encodeSoa, parseLocalData, type LocalRecord } from './local-data.js';
import { NameIndexBuilder } from './name-index.js';
import { PolicyZone, type PrefixTriple, type Rule, type ZoneStats } from './policy-zone.js';
import { PrefixIndexBuilder } from './prefix-index.js';
import { sharedFrom } from './shared-arrays.js';
import { TRIGGER_NAMES, TriggerType, isIpTrigger, triggerOwner, type TriggerOwner } from './triggers.js';
import type { ZoneRecord } from './zone-reader.js';
import { bare } from './zone-syntax-error.js';

/** Rule data (gardens, local data) by rule id. */
export type RuleData = Map<number, Pick<Rule, 'garden' | 'local'>>;

/** How a compiler starts: empty (a whole zone), or continuing a zone in force for an IXFR delta (zone-delta.ts). */
export interface CompilerStart {
  /** Builders holding copies of the zone's name indexes. */
  readonly names?: { readonly qname: NameIndexBuilder; readonly nsdname: NameIndexBuilder };
  /** Builders holding copies of the zone's IP-prefix indexes (needed only when the records include IP triggers). */
  readonly prefixes?: PrefixTriple<PrefixIndexBuilder>;
  /** The first rule id to give (the zone in force's rule count). */
  readonly firstId?: number;
  /** Called with each trigger that gets a rule. */
  readonly onRule?: (trigger: TriggerOwner) => void;
}

/** The counts behind ZoneStats, before zone-level warnings are added. */
export interface Tally {
  readonly records: number;
  readonly triggers: readonly number[];
  readonly actions: readonly number[];
  readonly warnings: readonly WarningSummary[];
}

/**
 * Turns a zone's records, as the reader streams them, into a PolicyZone.
 * Unusable records (an owner outside the zone, a bad IP prefix, a reserved
 * `rpz-` target, local data it cannot encode) are skipped and counted per
 * kind; the zone still loads with everything usable, as users of real feeds
 * expect.
 */
export class PolicyZoneCompiler {
  readonly #origin: string;
  readonly #warnings = new LoadWarnings();
  readonly #names: { readonly [TriggerType.QNAME]: NameIndexBuilder; readonly [TriggerType.NSDNAME]: NameIndexBuilder };
  readonly #prefixes: { readonly [TriggerType.CLIENT_IP]: PrefixIndexBuilder; readonly [TriggerType.IP]: PrefixIndexBuilder; readonly [TriggerType.NSIP]: PrefixIndexBuilder };
  readonly #kinds: number[] = [];
  readonly #ttls: number[] = [];
  readonly #data: RuleData = new Map();
  /** Local-data rules by owner, so that the records of one owner form one rule. */
  readonly #localByOwner = new Map<string, number>();
  readonly #prefixOwners = new Map<number, string>();
  readonly #triggerCounts = [0, 0, 0, 0, 0];
  readonly #actionCounts = [0, 0, 0, 0, 0, 0, 0];
  #records = 0;
  #soa: PolicyZone['soa'] = null;
  #serial: string | null = null;

  readonly #firstId: number;
  readonly #onRule: CompilerStart['onRule'];

  constructor(origin: string, start: CompilerStart = {}) {
    this.#origin = origin;
    this.#names = { [TriggerType.QNAME]: start.names?.qname ?? new NameIndexBuilder(), [TriggerType.NSDNAME]: start.names?.nsdname ?? new NameIndexBuilder() };
    this.#prefixes = {
      [TriggerType.CLIENT_IP]: start.prefixes?.clientIp ?? new PrefixIndexBuilder(),
      [TriggerType.IP]: start.prefixes?.ip ?? new PrefixIndexBuilder(),
      [TriggerType.NSIP]: start.prefixes?.nsip ?? new PrefixIndexBuilder(),
    };
    this.#firstId = start.firstId ?? 0;
    this.#onRule = start.onRule;
  }

  /** Takes one record of the zone. */
  add(record: ZoneRecord): void {
    this.#records++;
    if (record.outOfZone === true) return this.#warn('owner outside the zone', record, `owner ${record.owner}. is not in ${this.#origin}.`);
    const trigger = triggerOwner(record.owner, this.#origin);
    if (trigger === null) return this.#apex(record);

    let prefix: IpPrefix | null = null;
    if (isIpTrigger(trigger.type)) {
      const decoded = decodePrefixLabels(trigger.key);
      if (!decoded.ok) return this.#warn('invalid rpz IP address', record, `${record.owner}: ${decoded.reason}`);
      prefix = decoded.prefix;
    }
    const relative = record.owner.slice(0, record.owner.length - this.#origin.length - 1);

    let rule: { kind: ActionKind; garden?: string; local?: LocalRecord } | null;
    if (record.type === 'CNAME') {
      let target: string;
      try {
        target = canonicalName(record.rdata[0] ?? '', record.origin);
      } catch (error) {
        return this.#warn('unusable local data', record, `bad CNAME target: ${(error as Error).message}`);
      }
      const action = cnameAction(target, relative);
      if (action.kind === 'reserved') return this.#warn('reserved rpz- target', record, `CNAME ${bare(`${target}.`)} is reserved by RPZ and means nothing yet`);
      if (action.kind === 'local-cname') {
        const parsed = parseLocalData('CNAME', record.ttl, [`${target}.`], this.#origin);
        rule = parsed.ok ? { kind: ActionKind.LOCAL_DATA, local: parsed.record } : null;
      } else {
        rule = action.garden === undefined ? { kind: action.kind } : { kind: action.kind, garden: action.garden };
      }
    } else {
      const parsed = parseLocalData(record.type, record.ttl, record.rdata, record.origin);
      if (!parsed.ok) return this.#warn('unusable local data', record, parsed.reason);
      rule = { kind: ActionKind.LOCAL_DATA, local: parsed.record };
    }
    if (rule === null) return;

    // Only local data can take several records at one owner, so only its owners are remembered.
    const ownerKey = rule.kind === ActionKind.LOCAL_DATA ? `${trigger.type}|${relative}` : '';
    if (rule.kind === ActionKind.LOCAL_DATA) {
      const existing = this.#localByOwner.get(ownerKey);
      if (existing !== undefined) {
        (this.#data.get(existing)!.local as LocalRecord[]).push(rule.local!);
        return;
      }
    }
    const id = this.#firstId + this.#kinds.length;
    const added =
      prefix !== null
        ? this.#prefixes[trigger.type as 0 | 2 | 4].add(prefix, id)
        : this.#names[trigger.type as 1 | 3].add(trigger.key, trigger.wildcard, id);
    if (!added) return this.#warn('more than one action for a trigger', record, `${record.owner} already has an action; this ${record.type} is ignored`);
    if (prefix !== null) this.#prefixOwners.set(id, trigger.key);
    this.#onRule?.(trigger);
    this.#kinds.push(rule.kind);
    this.#ttls.push(record.ttl);
    this.#triggerCounts[trigger.type]!++;
    this.#actionCounts[rule.kind]!++;
    if (rule.garden !== undefined) this.#data.set(id, { garden: rule.garden });
    if (rule.local !== undefined) {
      this.#data.set(id, { local: [rule.local] });
      this.#localByOwner.set(ownerKey, id);
    }
  }

  /** The finished zone; the compiler must not be used afterwards. */
  build(name: string): PolicyZone {
    return new PolicyZone({
      name,
      indexes: {
        qname: this.#names[TriggerType.QNAME].build(),
        nsdname: this.#names[TriggerType.NSDNAME].build(),
        clientIp: this.#prefixes[TriggerType.CLIENT_IP].build(),
        ip: this.#prefixes[TriggerType.IP].build(),
        nsip: this.#prefixes[TriggerType.NSIP].build(),
      },
      stats: zoneStats(name, this.tally(), this.#soa !== null, this.#serial),
      soa: this.#soa,
      kinds: sharedFrom(Uint8Array, this.#kinds),
      ttls: sharedFrom(Uint32Array, this.#ttls),
      dataLayers: [this.#data],
      prefixOwnerLayers: [this.#prefixOwners],
    });
  }

  /** What the records read so far counted. */
  tally(): Tally {
    return { records: this.#records, triggers: this.#triggerCounts, actions: this.#actionCounts, warnings: this.#warnings.summary() };
  }

  /** The rules made so far, by id from `firstId` on (a delta's new rules), and the owners of those with IP triggers. */
  rules(): { readonly kinds: readonly number[]; readonly ttls: readonly number[]; readonly data: RuleData; readonly prefixOwners: ReadonlyMap<number, string> } {
    return { kinds: this.#kinds, ttls: this.#ttls, data: this.#data, prefixOwners: this.#prefixOwners };
  }

  /** The SOA read, if any. */
  soa(): { readonly soa: PolicyZone['soa']; readonly serial: string | null } {
    return { soa: this.#soa, serial: this.#serial };
  }

  #apex(record: ZoneRecord): void {
    if (record.type === 'SOA') {
      if (this.#soa !== null) return; // AXFR-style dumps repeat the SOA at the end
      this.#serial = record.rdata[2] ?? null;
      if (this.#serial !== null && !(Number(this.#serial) < 2 ** 32)) {
        this.#warn('SOA serial out of range', record, `serial ${this.#serial} does not fit in 32 bits (BIND refuses the zone); loaded anyway, serial taken modulo 2^32`);
      }
      try {
        this.#soa = { ttl: record.ttl, rdata: encodeSoa(record.rdata, record.origin) };
      } catch (error) {
        this.#warn('unusable SOA', record, `${(error as Error).message}; the zone's answers carry no SOA`);
      }
    }
    // NS and anything else at the apex: zone plumbing, not policy.
  }

  /** Counts a problem found outside any record (a plain list's line that held no usable name). */
  warn(kind: string, file: string, line: number, detail: string): void {
    this.#warnings.add(kind, file, line, detail);
  }

  #warn(kind: string, record: ZoneRecord, detail: string): void {
    this.#warnings.add(kind, record.file, record.line, detail);
  }
}

/** Zone-level warnings that follow from the whole zone, not from one record. */
const ZONE_WARNINGS = ['NSDNAME and NSIP triggers are not enforced', 'no SOA record'];

/** A zone's stats from its tally; the zone-level warnings are worked out here, so a tally from a delta gets them right too. */
export function zoneStats(name: string, tally: Tally, hasSoa: boolean, serial: string | null): ZoneStats {
  const triggers = Object.fromEntries(TRIGGER_NAMES.map((n, i) => [n, tally.triggers[i]!]));
  const zoneLevel = new LoadWarnings();
  if (tally.triggers[TriggerType.NSDNAME]! + tally.triggers[TriggerType.NSIP]! > 0) {
    zoneLevel.add(ZONE_WARNINGS[0]!, name, 0, `${triggers.nsdname} nsdname and ${triggers.nsip} nsip triggers loaded and counted; a forwarder does not see delegations`);
  }
  if (!hasSoa) zoneLevel.add(ZONE_WARNINGS[1]!, name, 0, 'policy answers will carry no SOA');
  return {
    records: tally.records,
    triggers,
    actions: Object.fromEntries(ZONE_ACTION_NAMES.map((n, i) => [n, tally.actions[i]!])),
    warnings: [...tally.warnings.filter((w) => !ZONE_WARNINGS.includes(w.kind)), ...zoneLevel.summary()],
    serial,
  };
}
