import type { PolicyZone } from '../rpz/policy-zone.js';
import type { ZoneStatus } from '../model/zone-status.js';
import { sourceKind, type ZoneConfig } from './zone-source.js';

/** The status of a zone not tried yet, read from `file`. */
export function initialStatus(config: ZoneConfig, file: string): ZoneStatus {
  return {
    name: config.name,
    kind: sourceKind(config),
    source: config.file ?? config.url ?? config.primaries!.map((primary) => primary.label).join(', '),
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
