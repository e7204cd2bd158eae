import type { PolicyZone } from '../rpz/policy-zone.js';
import { sourceKind, type TransferStatus, type ZoneConfig } from './zone-source.js';

/** What /metrics and the logs say about one zone's source. */
export interface ZoneStatus {
  readonly name: string;
  readonly kind: 'file' | 'url' | 'primaries';
  /** The file, the URL, or the primaries. */
  readonly source: string;
  /** Where the zone is read from: the file itself, or the last-good copy. */
  readonly file: string;
  readonly format: string;
  readonly serial: string | null;
  readonly rules: number;
  readonly lastAttempt: number | null;
  readonly lastSuccess: number | null;
  readonly lastError: string | null;
  /** The last transfer or download that succeeded. */
  readonly lastTransfer: TransferStatus | null;
  /** When the next refresh is due (url and primaries zones). */
  readonly nextAttempt: number | null;
  /** Past the SOA expire time with no primary reachable (the zone stays in force unless whenExpired is drop). */
  readonly expired: boolean;
}

/** The status of a zone not tried yet, read from `file`. */
export function initialStatus(config: ZoneConfig, file: string): ZoneStatus {
  return {
    name: config.name,
    kind: sourceKind(config),
    source: config.file ?? config.url ?? config.primaries!.join(', '),
    file,
    format: config.format,
    serial: null,
    rules: 0,
    lastAttempt: null,
    lastSuccess: null,
    lastError: null,
    lastTransfer: null,
    nextAttempt: null,
    expired: false,
  };
}

/** How many rules (triggers of any type) a zone holds. */
export function ruleCount(zone: PolicyZone): number {
  return Object.values(zone.stats.triggers).reduce((a, b) => a + b, 0);
}

/** What the log says stays in force when an attempt fails. */
export function keptVersion(zone: PolicyZone | null, status: ZoneStatus): string {
  if (zone === null) return 'no version loaded yet';
  return `the last good version stays in force: serial ${zone.stats.serial ?? 'none'}, loaded at ${new Date(status.lastSuccess ?? 0).toISOString()}`;
}
