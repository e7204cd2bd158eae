import { textToWire, wireToText } from '../dns/name-text.js';
import { ActionKind, ACTION_NAMES } from '../rpz/actions.js';
import type { PolicySet } from '../rpz/policy-set.js';
import { TRIGGER_NAMES } from '../rpz/triggers.js';
import type { ZoneWhen } from '../schedule/index.js';

/** What the policy decides now for one name and client group (GET /api/why). */
export interface WhyAnswer {
  readonly name: string;
  readonly group: string;
  /** blocked: NXDOMAIN, NODATA, DROP or the stop page; passthru: an allow (rpz-passthru) rule lets it through; rewritten: local data, a garden, TCP-only; allowed: no rule matches, so it is forwarded. */
  readonly decision: 'blocked' | 'allowed' | 'passthru' | 'rewritten';
  readonly zone?: string;
  readonly list?: string;
  readonly rule?: string;
  readonly trigger?: string;
  readonly action?: string;
  /** When the deciding zone applies to the group, when not at every hour: "during lessons", "outside lessons", "paused until ...". */
  readonly schedule?: string;
  /** The zones in force for the group now, in order of precedence. */
  readonly inForce: string[];
}

/** The question: a name, the client's address as 16 bytes (null: none given, so client-IP rules cannot match), and its group. */
export interface WhyQuestion {
  readonly name: string;
  readonly client: Uint8Array | null;
  readonly group: { readonly name: string; readonly index: number };
}

const BLOCKING: ReadonlySet<number> = new Set([ActionKind.NXDOMAIN, ActionKind.NODATA, ActionKind.DROP, ActionKind.STOP_PAGE]);

/** A name as an admin types it, in the canonical text queries are compared in (lower case, no final dot); null when it is no domain name. */
export function canonicalName(text: string): string | null {
  const wire = textToWire(text.trim());
  return wire === null ? null : wireToText(wire);
}

/**
 * What the policy set decides now for `question` before anything is sent upstream: the client-IP and QNAME
 * rules of the zones in force for the group at `nowMs`, with RPZ precedence (PolicySet.beforeResolution).
 * Rules on the answer (CNAME targets, rpz-ip) can still act on a name that passes here; they need its answer.
 */
export function why(set: PolicySet, question: WhyQuestion, nowMs: number): WhyAnswer {
  const mask = set.zonesFor(question.group.index, nowMs);
  const inForce = set.zones.filter((_, i) => mask === null || mask[i] === 1).map(({ zone }) => zone.name);
  const { hit } = set.beforeResolution(question.name, question.client, mask);
  const base = { name: question.name, group: question.group.name, inForce };
  if (hit === null) return { ...base, decision: 'allowed' };
  const when = hit.settings.groups?.[question.group.index] ?? 'always';
  const schedule = describeWhen(when);
  return {
    ...base,
    decision: hit.kind === ActionKind.PASSTHRU ? 'passthru' : BLOCKING.has(hit.kind) ? 'blocked' : 'rewritten',
    zone: hit.zone.name,
    list: hit.settings.logName,
    rule: hit.via,
    trigger: TRIGGER_NAMES[hit.trigger]!,
    action: ACTION_NAMES[hit.kind]!,
    ...(schedule !== null && { schedule }),
  };
}

/** A zone's rule for a group in words; null for every hour. */
export function describeWhen(when: ZoneWhen): string | null {
  if (when === 'always') return null;
  if (when === 'never') return 'never';
  if ('pausedUntil' in when) {
    const then = describeWhen(when.then);
    return `paused until ${new Date(when.pausedUntil).toISOString()}${then === null ? '' : `, then ${then}`}`;
  }
  return 'during' in when ? `during ${when.during.name}` : `outside ${when.outside.name}`;
}
