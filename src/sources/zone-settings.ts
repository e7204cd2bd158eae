import type { ZoneSettings } from '../rpz/policy-set.js';
import type { ZoneConfig } from './zone-source.js';

/** The engine's settings for a configured zone. */
export function zoneSettings(config: ZoneConfig, name: string): ZoneSettings {
  return {
    policy: config.policy,
    ...(config.cname !== undefined && { cname: config.cname }),
    maxPolicyTtl: config.maxPolicyTtl,
    breakDnssec: config.breakDnssec,
    logName: config.logName ?? name,
    ede: { code: config.ede.code, ...(config.ede.text !== undefined && { text: config.ede.text }) },
    log: config.log,
    page: config.page,
    groups: config.groups,
  };
}
