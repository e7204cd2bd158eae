import { isIPv4 } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { loadPolicyZone } from '../rpz/load-zone.js';
import { PolicySet } from '../rpz/policy-set.js';
import type { StopPageRdata } from '../rpz/rewrite.js';
import { addressToBytes } from '../rpz/ip-prefix.js';
import type { PolicySource } from './stages/policy.js';

/**
 * The policy in force. `replace` swaps the whole set in one assignment, so a
 * query (which reads `current()` once) sees the old policy or the new one,
 * never a mix; the old set is freed once its last query ends.
 */
export class PolicyHolder implements PolicySource {
  #current: PolicySet;
  /** When each zone in force was loaded (ms since the epoch), for /metrics. */
  readonly loadedAt = new Map<string, number>();

  constructor(initial: PolicySet) {
    this.#current = initial;
    for (const { zone } of initial.zones) this.loadedAt.set(zone.name, Date.now());
  }

  current(): PolicySet {
    return this.#current;
  }

  replace(next: PolicySet): void {
    this.#current = next;
    for (const { zone } of next.zones) this.loadedAt.set(zone.name, Date.now());
  }
}

/** Loads every configured zone, in order; throws with file:line when one cannot be read. Logs each zone's counts and warnings once. */
export async function loadConfiguredPolicy(policy: Config['policy'], log: Logger): Promise<PolicySet> {
  const zones = [];
  for (const settings of policy.zones) {
    const started = performance.now();
    const zone = await loadPolicyZone(settings.file, settings.name);
    const { records, triggers, actions, warnings, serial } = zone.stats;
    log.info({ zone: zone.name, file: settings.file, serial, records, triggers, actions, ms: Math.round(performance.now() - started) }, 'policy zone loaded');
    for (const warning of warnings) log.warn({ zone: zone.name, ...warning }, `policy zone ${zone.name}: ${warning.count} × ${warning.kind}`);
    zones.push({
      zone,
      settings: {
        policy: settings.policy,
        ...(settings.cname !== undefined && { cname: settings.cname }),
        maxPolicyTtl: settings.maxPolicyTtl,
        recursiveOnly: settings.recursiveOnly,
        breakDnssec: settings.breakDnssec,
        logName: settings.logName ?? zone.name,
        ede: { code: settings.ede.code, ...(settings.ede.text !== undefined && { text: settings.ede.text }) },
        log: settings.log,
        page: settings.page,
      },
    });
  }
  return new PolicySet(zones);
}

/** The stop page's addresses as A and AAAA RDATA. */
export function stopPageRdata(addresses: readonly string[]): StopPageRdata {
  const rdata = (address: string): Buffer => {
    const bytes = addressToBytes(address)!;
    const raw = isIPv4(address) ? bytes.subarray(12) : bytes;
    return Buffer.concat([Buffer.from([0, raw.length]), raw]);
  };
  return { a: addresses.filter((a) => isIPv4(a)).map(rdata), aaaa: addresses.filter((a) => !isIPv4(a)).map(rdata) };
}
