/** Trigger types, in BIND's order of precedence within one zone (RPZ draft section 5). */
export const TriggerType = { CLIENT_IP: 0, QNAME: 1, IP: 2, NSDNAME: 3, NSIP: 4 } as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

/** Names used in logs and in `stopzone check` (BIND's wording). */
export const TRIGGER_NAMES: readonly string[] = ['client-ip', 'qname', 'ip', 'nsdname', 'nsip'];

/** Whether triggers of this type are IP prefixes (their rules live in the prefix indexes, not the name indexes). */
export function isIpTrigger(type: TriggerType | undefined): type is 0 | 2 | 4 {
  return type === TriggerType.CLIENT_IP || type === TriggerType.IP || type === TriggerType.NSIP;
}

/** The label that marks each non-QNAME trigger, right below the zone origin. */
const SUFFIXES: ReadonlyArray<[string, TriggerType]> = [
  ['rpz-client-ip', TriggerType.CLIENT_IP],
  ['rpz-ip', TriggerType.IP],
  ['rpz-nsdname', TriggerType.NSDNAME],
  ['rpz-nsip', TriggerType.NSIP],
];

/** What an owner name in a policy zone triggers on. */
export interface TriggerOwner {
  readonly type: TriggerType;
  /** For name triggers: the name matched (without "*."); for IP triggers: the prefix labels ("24.0.2.0.192"). */
  readonly key: string;
  /** `*.name`: matches names below `name`, never `name` itself. */
  readonly wildcard: boolean;
}

/**
 * Reads an owner name (absolute, lower-case, no trailing dot) of the zone
 * `origin` as a trigger. Returns null for the zone apex (SOA, NS).
 */
export function triggerOwner(owner: string, origin: string): TriggerOwner | null {
  if (owner === origin) return null;
  const relative = origin === '' ? owner : owner.slice(0, owner.length - origin.length - 1);
  for (const [suffix, type] of SUFFIXES) {
    if (relative === suffix) return { type, key: '', wildcard: false };
    if (relative.endsWith(`.${suffix}`)) {
      const key = relative.slice(0, relative.length - suffix.length - 1);
      if (type === TriggerType.NSDNAME) return nameTrigger(type, key);
      return { type, key, wildcard: false };
    }
  }
  return nameTrigger(TriggerType.QNAME, relative);
}

function nameTrigger(type: TriggerType, relative: string): TriggerOwner {
  if (relative === '*') return { type, key: '', wildcard: true };
  if (relative.startsWith('*.')) return { type, key: relative.slice(2), wildcard: true };
  return { type, key: relative, wildcard: false };
}
