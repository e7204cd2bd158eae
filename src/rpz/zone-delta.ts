import { ZONE_ACTION_NAMES } from './actions.js';
import { decodePrefixLabels } from './ip-prefix.js';
import { warningsChanged } from './load-warnings.js';
import { NameIndexBuilder } from './name-index.js';
import { mapPrefixTriple, type DeltaBase, type ZoneEdit } from './policy-zone.js';
import { PrefixIndexBuilder } from './prefix-index.js';
import { sharedCopy } from './shared-arrays.js';
import { TRIGGER_NAMES, TriggerType, isIpTrigger, triggerOwner, type TriggerOwner } from './triggers.js';
import { PolicyZoneCompiler, zoneStats, type CompilerStart, type Tally } from './zone-compiler.js';
import type { ZoneRecord } from './zone-reader.js';

/** What an IXFR changed, as the last-good copy shows it (zone-copy.ts applyDeltas). */
export interface OwnerChange {
  /** The old SOA, then every record the old version had at the owners the delta touches, in the copy's order. */
  readonly before: readonly ZoneRecord[];
  /** The new SOA, then every record the new version has at those owners, in the new copy's order. */
  readonly after: readonly ZoneRecord[];
}

/** The zone changed, or why it must be compiled whole instead. */
export type DeltaOutcome = { readonly edit: ZoneEdit } | { readonly rebuild: string };

/** Layers of rule data or prefix owners a zone may gather (PolicyZone.edited) before it is compiled whole again. */
const MAX_DATA_LAYERS = 8;

/**
 * Applies an IXFR to a zone in force without compiling the whole zone again:
 * the rules of every owner the delta touches are worked out from that owner's
 * records before and after, exactly as a whole compile of the new copy would
 * (same order, so the same rule wins and local data merges the same way);
 * the old ones are removed from a copy of the name indexes and the new ones
 * added, with new rule ids after the old ones. Counts and warnings come out
 * as a whole compile's (a warning kind the delta brings is listed last, and
 * the first examples of a warning may differ).
 *
 * Every trigger type is changed in place; the IP-prefix indexes are copied
 * only when the delta touches an IP trigger. The zone is compiled whole
 * instead (`rebuild`, with the reason) when rule ids freed by earlier deltas
 * reach a quarter of the live ones, when rule data or prefix owners have
 * gathered MAX_DATA_LAYERS layers, or when the copy and the zone in force disagree.
 */
export function applyDelta(base: DeltaBase, origin: string, change: OwnerChange): DeltaOutcome {
  const live = TRIGGER_NAMES.reduce((sum, name) => sum + (base.stats.triggers[name] ?? 0), 0);
  if (base.kinds.length - live > live / 4) return { rebuild: `${base.kinds.length - live} rule ids freed by earlier deltas, over a quarter of the ${live} in use` };
  if (base.dataLayers >= MAX_DATA_LAYERS) return { rebuild: `rule data or prefix owners spread over ${base.dataLayers} deltas` };
  const touchesIp = [...change.before, ...change.after].some((record) => record.outOfZone !== true && isIpTrigger(triggerOwner(record.owner, origin)?.type));

  const removed: TriggerOwner[] = [];
  const old = new PolicyZoneCompiler(origin, { onRule: (trigger) => removed.push(trigger) });
  for (const record of change.before) old.add(record);
  const copySerial = old.soa().serial;
  if (copySerial !== base.stats.serial) return { rebuild: `the copy was at serial ${copySerial ?? 'none'}, the zone in force is at ${base.stats.serial ?? 'none'}` };

  const names = { qname: new NameIndexBuilder(base.names.qname), nsdname: new NameIndexBuilder(base.names.nsdname) };
  const prefixes = touchesIp
    ? mapPrefixTriple(base.prefixes, (parts) => new PrefixIndexBuilder(parts))
    : undefined;
  for (const trigger of removed) {
    if (!removeRule(trigger, names, prefixes)) {
      return { rebuild: `the rule of ${trigger.wildcard ? '*.' : ''}${trigger.key} (${TRIGGER_NAMES[trigger.type]}) is not in the zone in force as the copy says` };
    }
  }
  const next = new PolicyZoneCompiler(origin, { names, ...(prefixes === undefined ? {} : { prefixes }), firstId: base.kinds.length });
  for (const record of change.after) next.add(record);

  const rules = next.rules();
  const { soa, serial } = next.soa();
  return {
    edit: {
      names: { qname: names.qname.build().parts(), nsdname: names.nsdname.build().parts() },
      kinds: sharedCopy(base.kinds, rules.kinds),
      ttls: sharedCopy(base.ttls, rules.ttls),
      data: [...rules.data],
      stats: zoneStats(origin, difference(base.stats, old.tally(), next.tally()), soa !== null, serial),
      soa,
      ...(prefixes === undefined ? {} : { prefixes: mapPrefixTriple(prefixes, (builder) => builder.build().parts()) }),
      prefixOwners: [...rules.prefixOwners],
    },
  };
}

/** Takes a rule the old records made out of the copied indexes; false when it is not there. */
function removeRule(trigger: TriggerOwner, names: NonNullable<CompilerStart['names']>, prefixes: CompilerStart['prefixes']): boolean {
  if (trigger.type === TriggerType.QNAME) return names.qname.remove(trigger.key, trigger.wildcard);
  if (trigger.type === TriggerType.NSDNAME) return names.nsdname.remove(trigger.key, trigger.wildcard);
  // An IP trigger got a rule only if its labels decoded, so they decode again here.
  const decoded = decodePrefixLabels(trigger.key);
  if (prefixes === undefined || !decoded.ok) return false;
  const builder = trigger.type === TriggerType.CLIENT_IP ? prefixes.clientIp : trigger.type === TriggerType.IP ? prefixes.ip : prefixes.nsip;
  return builder.remove(decoded.prefix);
}

/** The zone's counts with those of the touched owners' old records taken out and their new ones put in. */
function difference(stats: DeltaBase['stats'], before: Tally, after: Tally): Tally {
  return {
    records: stats.records - before.records + after.records,
    triggers: TRIGGER_NAMES.map((name, i) => (stats.triggers[name] ?? 0) - before.triggers[i]! + after.triggers[i]!),
    actions: ZONE_ACTION_NAMES.map((name, i) => (stats.actions[name] ?? 0) - before.actions[i]! + after.actions[i]!),
    warnings: warningsChanged(stats.warnings, before.warnings, after.warnings),
  };
}
