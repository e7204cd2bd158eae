/** What a rule does (RPZ draft section 4). */
export const ActionKind = {
  NXDOMAIN: 0,
  NODATA: 1,
  PASSTHRU: 2,
  DROP: 3,
  TCP_ONLY: 4,
  /** `CNAME *.garden.`: the query name prepended to the garden. */
  GARDEN: 5,
  /** Any other RRset, a `CNAME host.` redirect included: answered by QTYPE. */
  LOCAL_DATA: 6,
  /** A/AAAA with the stop page's addresses: Stopzone's own action, set only by a zone's `policy: stop-page`, never by a record. */
  STOP_PAGE: 7,
} as const;
export type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

/** Names used in logs and metrics, indexed by ActionKind (BIND's wording; "stop-page" is Stopzone's). */
export const ACTION_NAMES: readonly string[] = ['nxdomain', 'nodata', 'passthru', 'drop', 'tcp-only', 'garden', 'local-data', 'stop-page'];

/** The actions a zone's records can give, counted in its stats: all but STOP_PAGE, which only the config sets. */
export const ZONE_ACTION_NAMES: readonly string[] = ACTION_NAMES.slice(0, ActionKind.STOP_PAGE);

/** Actions whose answer says "blocked" (and carries an Extended DNS Error); PASSTHRU, DROP and TCP-only do not. */
export function isBlocking(kind: ActionKind): boolean {
  return kind !== ActionKind.PASSTHRU && kind !== ActionKind.DROP && kind !== ActionKind.TCP_ONLY;
}

/** The outcome of reading one CNAME target at a trigger owner. */
export type CnameAction =
  | { readonly kind: ActionKind; readonly garden?: string }
  | { readonly kind: 'local-cname'; readonly target: string }
  | { readonly kind: 'reserved'; readonly target: string };

/**
 * Decodes `owner CNAME target` (target absolute, lower-case, no trailing dot;
 * "" is the root). `trigger` is the owner relative to the zone, so that the
 * obsolete PASSTHRU form, a CNAME to the trigger name itself, is recognised.
 */
export function cnameAction(target: string, trigger: string): CnameAction {
  if (target === '') return { kind: ActionKind.NXDOMAIN };
  if (target === '*') return { kind: ActionKind.NODATA };
  if (target === 'rpz-passthru' || target === trigger) return { kind: ActionKind.PASSTHRU };
  if (target === 'rpz-drop') return { kind: ActionKind.DROP };
  if (target === 'rpz-tcp-only') return { kind: ActionKind.TCP_ONLY };
  if (target.startsWith('rpz-') && !target.includes('.')) return { kind: 'reserved', target };
  if (target.startsWith('*.')) return { kind: ActionKind.GARDEN, garden: target.slice(2) };
  return { kind: 'local-cname', target };
}
