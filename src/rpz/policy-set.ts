import { ActionKind } from './actions.js';
import { nameWire } from '../dns/name-text.js';
import { addressToString, type IpFamily, type IpPrefix } from './ip-prefix.js';
import type { PolicyZone, Rule } from './policy-zone.js';
import { TriggerType, TRIGGER_NAMES } from './triggers.js';
import { appliesAt, nextChangeOf, secondsToChangeOf, type ZoneWhen } from '../schedule/index.js';

/** For one client group at one instant, 1 for each zone of the set (by index) in force for it, 0 for the others. */
export type ZoneMask = Uint8Array;

/** Per-zone settings from the config (BIND's response-policy zone options). */
export interface ZoneSettings {
  readonly policy: 'given' | 'disabled' | 'passthru' | 'drop' | 'tcp-only' | 'nxdomain' | 'nodata' | 'cname' | 'stop-page';
  readonly cname?: string;
  readonly maxPolicyTtl: number;
  /** Rewrite answers to DO=1 queries even when they are DNSSEC-signed (BIND's break-dnssec; Stopzone's default, so that the DO bit is no way around a list). */
  readonly breakDnssec: boolean;
  readonly logName: string;
  readonly ede: { readonly code: number; readonly text?: string };
  readonly log: boolean;
  /** What the stop page says for this zone's hits. */
  readonly page?: {
    readonly title?: string;
    readonly reason?: string;
    readonly reference?: string;
    readonly referenceUrl?: string;
    readonly contact?: string;
    readonly contactUrl?: string;
    readonly legal: boolean;
  };
  /** When the zone applies to each client group, by group index (0: "default"); left out, to every group at every hour. */
  readonly groups?: readonly ZoneWhen[];
}

/** A rule that fired, with everything the answer, the log and EDE need. */
export interface PolicyHit {
  readonly zone: PolicyZone;
  readonly zoneIndex: number;
  readonly settings: ZoneSettings;
  readonly trigger: TriggerType;
  /** The matched owner in the policy zone, as BIND's "via" (e.g. "*.bad.example.policy.rpz"). */
  readonly via: string;
  /** The rule as the zone gives it, and what is done after the zone's policy override. */
  readonly given: Rule;
  readonly kind: ActionKind;
  readonly rule: Rule;
  /** Step of the CNAME chain (0: the query name) and the name there. */
  readonly step: number;
  readonly name: string;
  /** The answer address for rpz-ip hits. */
  readonly address?: string;
}

/** Hits of zones whose policy is "disabled": logged as "would have", never applied. */
export interface Evaluation {
  readonly hit: PolicyHit | null;
  readonly wouldHave: readonly PolicyHit[];
}

/** One step of an answer's CNAME chain: the name, and the A/AAAA addresses owned by it (16 bytes, IPv4-mapped for A). */
export interface ChainStep {
  readonly name: string;
  readonly addresses: ReadonlyArray<{ readonly bytes: Uint8Array; readonly family: IpFamily }>;
}

/** A zone on a schedule for one group and not in force now, with a mask of that zone alone (to ask whether it would match). */
interface Asleep {
  readonly when: Exclude<ZoneWhen, string>;
  readonly only: ZoneMask;
}

/** No "would have" hits, and the evaluation with nothing at all: shared, so the common query allocates neither. */
const NONE: readonly PolicyHit[] = Object.freeze([]);
const NOTHING: Evaluation = Object.freeze({ hit: null, wouldHave: NONE });

const OVERRIDES: Record<string, ActionKind | undefined> = {
  passthru: ActionKind.PASSTHRU,
  drop: ActionKind.DROP,
  'tcp-only': ActionKind.TCP_ONLY,
  nxdomain: ActionKind.NXDOMAIN,
  nodata: ActionKind.NODATA,
  cname: ActionKind.LOCAL_DATA,
  'stop-page': ActionKind.STOP_PAGE,
};

/**
 * The policy zones in configured order, evaluated with BIND's precedence
 * (RPZ draft section 5): earlier step of the CNAME chain, then earlier zone,
 * then, within a zone, Client-IP over QNAME over Response-IP; exact over
 * wildcard and more labels over fewer (NameIndex); longest prefix, then the
 * smallest address. Immutable: a reload builds a new set and swaps it.
 */
export class PolicySet {
  readonly zones: ReadonlyArray<{ readonly zone: PolicyZone; readonly settings: ZoneSettings }>;
  /** For each zone, whether any earlier zone has rpz-ip triggers (a QNAME hit there must wait for the answer). */
  readonly #ipBefore: boolean[];
  readonly #cnameRules: Map<number, Rule>;
  /** Whether some zone leaves some group out at some hour; if none does, every query sees every zone (mask null). */
  readonly #scoped: boolean;
  /** Per group: the mask last computed and the stretch of time [from, until) it holds for. */
  readonly #masks: Array<{ mask: ZoneMask; from: number; until: number; asleep: readonly Asleep[] } | undefined> = [];

  /** Required zones with no version loaded yet: while any is missing, nothing may be answered unfiltered. */
  readonly missingRequired: readonly string[];
  /** Whether any zone has rpz-ip triggers: only then do answers' addresses matter. */
  readonly hasIpTriggers: boolean;
  /** Whether any zone has rpz-client-ip triggers: only then does the client's address matter. */
  readonly hasClientIpTriggers: boolean;

  constructor(zones: ReadonlyArray<{ zone: PolicyZone; settings: ZoneSettings }>, missingRequired: readonly string[] = []) {
    this.zones = zones;
    this.missingRequired = missingRequired;
    this.hasClientIpTriggers = zones.some(({ zone }) => zone.has(TriggerType.CLIENT_IP));
    let seen = false;
    this.#ipBefore = zones.map(({ zone }) => {
      const before = seen;
      seen ||= zone.has(TriggerType.IP);
      return before;
    });
    this.hasIpTriggers = seen;
    this.#scoped = zones.some(({ settings }) => settings.groups?.some((when) => when !== 'always') === true);
    this.#cnameRules = new Map();
    zones.forEach(({ settings }, i) => {
      if (settings.policy !== 'cname' || settings.cname === undefined) return;
      const target = nameWire(settings.cname.replace(/\.$/, '').toLowerCase());
      const rdata = Buffer.concat([Buffer.from([target.length >> 8, target.length & 0xff]), target]);
      this.#cnameRules.set(i, { kind: ActionKind.LOCAL_DATA, ttl: settings.maxPolicyTtl, local: [{ type: 5, ttl: settings.maxPolicyTtl, rdata }] });
    });
  }

  /** Whether the set can rewrite anything at all (and nothing is missing). */
  get empty(): boolean {
    return this.zones.length === 0 && this.missingRequired.length === 0;
  }

  /** Whether a hit in zone `index` found before resolution must wait for the answer's rpz-ip triggers of earlier zones. */
  mustWaitForAnswer(index: number): boolean {
    return this.#ipBefore[index] === true;
  }

  /** Whether some zone applies to some groups or hours only (else zonesFor and boundaryTtl are null). */
  get scoped(): boolean {
    return this.#scoped;
  }

  /**
   * The zones in force for client group `group` (0: "default") at instant `nowMs`, as a mask for
   * beforeResolution and onAnswer; null when every zone applies to every group at every hour. Kept per group
   * until the next schedule boundary of its zones, so a query costs two comparisons.
   */
  zonesFor(group: number, nowMs: number): ZoneMask | null {
    if (!this.#scoped) return null;
    const kept = this.#masks[group];
    if (kept !== undefined && nowMs >= kept.from && nowMs < kept.until) return kept.mask;
    const mask = new Uint8Array(this.zones.length);
    const asleep: Asleep[] = [];
    let until = Infinity;
    for (let i = 0; i < this.zones.length; i++) {
      const when = this.zones[i]!.settings.groups?.[group] ?? 'always';
      mask[i] = appliesAt(when, nowMs) ? 1 : 0;
      until = Math.min(until, nextChangeOf(when, nowMs));
      if (mask[i] === 0 && typeof when !== 'string') asleep.push({ when, only: Uint8Array.from(this.zones, (_, j) => (j === i ? 1 : 0)) });
    }
    this.#masks[group] = { mask, from: nowMs, until, asleep };
    return mask;
  }

  /**
   * The seconds an answer may live for client group `group` at `nowMs` because of the schedules (issue 19 item 4),
   * or null for no limit: for a hit in zone `hitZone`, until that zone stops being in force; and, for any answer,
   * until the earliest zone on a schedule, not in force now, that would match the query name (before resolution)
   * or the answer's chain (`chain`, null when not looked at) comes into force. Costs nothing more than zonesFor
   * when the group has no such zone asleep.
   */
  boundaryTtl(group: number, nowMs: number, hitZone: number | null, name: string, client: Uint8Array | null, chain: readonly ChainStep[] | null): number | null {
    if (!this.#scoped) return null;
    this.zonesFor(group, nowMs);
    const { asleep } = this.#masks[group]!;
    let cap: number | null = hitZone === null ? null : secondsToChangeOf(this.zones[hitZone]!.settings.groups?.[group] ?? 'always', nowMs);
    for (const { when, only } of asleep) {
      const matches = this.beforeResolution(name, client, only).hit !== null || (chain !== null && this.onAnswer(chain, undefined, undefined, only).hit !== null);
      if (!matches) continue;
      const seconds = secondsToChangeOf(when, nowMs);
      if (seconds !== null && (cap === null || seconds < cap)) cap = seconds;
    }
    return cap;
  }

  /** Client-IP and QNAME triggers for the query name, before the cache and the upstreams, in the zones of `zones` (null: all). */
  beforeResolution(name: string, client: Uint8Array | null, zones: ZoneMask | null = null): Evaluation {
    let wouldHave: PolicyHit[] | null = null;
    for (let i = 0; i < this.zones.length; i++) {
      if (zones !== null && zones[i] === 0) continue;
      const { zone, settings } = this.zones[i]!;
      let hit: PolicyHit | null = null;
      const byClient = client === null ? null : zone.indexes.clientIp.longest(client);
      if (byClient !== null) hit = this.#hit(i, TriggerType.CLIENT_IP, byClient.value, `${prefixVia(zone, byClient)}.rpz-client-ip.${zone.name}`, 0, name);
      else {
        const byName = zone.indexes.qname.lookup(name);
        if (byName !== null) hit = this.#hit(i, TriggerType.QNAME, byName.value, `${byName.owner}.${zone.name}`, 0, name);
      }
      if (hit === null) continue;
      if (settings.policy !== 'disabled') return { hit, wouldHave: wouldHave ?? NONE };
      (wouldHave ??= []).push(hit);
    }
    return wouldHave === null ? NOTHING : { hit: null, wouldHave };
  }

  /**
   * Triggers on an answer: QNAME for every name of the CNAME chain after the
   * query name, rpz-ip for every address, in zones before `zoneLimit` and
   * steps up to `maxStep`, among the zones of `zones` (null: all).
   */
  onAnswer(chain: readonly ChainStep[], zoneLimit = this.zones.length, maxStep = chain.length - 1, zones: ZoneMask | null = null): Evaluation {
    let wouldHave: PolicyHit[] | null = null;
    for (let step = 0; step <= maxStep && step < chain.length; step++) {
      const { name, addresses } = chain[step]!;
      for (let i = 0; i < zoneLimit; i++) {
        if (zones !== null && zones[i] === 0) continue;
        const { zone, settings } = this.zones[i]!;
        let hit: PolicyHit | null = null;
        const byName = step > 0 ? zone.indexes.qname.lookup(name) : null;
        if (byName !== null) hit = this.#hit(i, TriggerType.QNAME, byName.value, `${byName.owner}.${zone.name}`, step, name);
        else if (zone.indexes.ip.size > 0) {
          let best: { value: number; length128: number; bytes: Uint8Array; family: IpFamily } | null = null;
          for (const address of addresses) {
            const match = zone.indexes.ip.longest(address.bytes);
            if (match === null) continue;
            if (best === null || match.length128 > best.length128 || (match.length128 === best.length128 && Buffer.compare(address.bytes, best.bytes) < 0)) {
              best = { ...match, bytes: address.bytes, family: address.family };
            }
          }
          if (best !== null) hit = { ...this.#hit(i, TriggerType.IP, best.value, `${prefixVia(zone, best)}.rpz-ip.${zone.name}`, step, name), address: addressToString(best.bytes, best.family) };
        }
        if (hit === null) continue;
        if (settings.policy !== 'disabled') return { hit, wouldHave: wouldHave ?? NONE };
        (wouldHave ??= []).push(hit);
      }
    }
    return wouldHave === null ? NOTHING : { hit: null, wouldHave };
  }

  #hit(zoneIndex: number, trigger: TriggerType, ruleId: number, via: string, step: number, name: string): PolicyHit {
    const { zone, settings } = this.zones[zoneIndex]!;
    const given = zone.rule(ruleId);
    const override = OVERRIDES[settings.policy];
    let kind: ActionKind = override ?? given.kind;
    let rule = given;
    if (settings.policy === 'cname') rule = this.#cnameRules.get(zoneIndex) ?? given;
    if (override !== undefined && settings.policy !== 'cname') rule = { kind: given.kind, ttl: given.ttl };
    if (kind === ActionKind.LOCAL_DATA && rule.local === undefined) kind = ActionKind.NODATA;
    return { zone, zoneIndex, settings, trigger, via, given, kind, rule, step, name };
  }
}

/** The owner labels of a matched prefix, for "via". */
function prefixVia(zone: PolicyZone, match: { length128: number; value: number }): string {
  return zone.prefixOwner(match.value);
}

export { TRIGGER_NAMES };
export type { IpPrefix };
