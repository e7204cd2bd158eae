import { parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';

/** One configured policy zone, with every default the server would give it. */
export type ZoneConfig = Config['policy']['zones'][number];

/**
 * A zone entry as the server's own config parser makes it from `entry` (YAML
 * flow mapping), so the rounds load feeds with the same limits and rules as
 * the server does (line length, $INCLUDE only for local files, ...).
 */
export function zoneConfig(entry: string): ZoneConfig {
  return parseConfig(`upstreams: ["127.0.0.1:53"]\npolicy: { zones: [ ${entry} ] }\n`, {}, 'fuzz zone config').policy.zones[0]!;
}
