import type { Config } from '../config/schema.js';
import { canonicalZoneName, loadPolicyZone } from '../rpz/load-zone.js';
import type { PolicyZone } from '../rpz/policy-zone.js';
import { PolicyZoneCompiler } from '../rpz/zone-compiler.js';
import { readPlainList } from './plain-list.js';

/**
 * Loads one configured zone from `path` (its file, or the copy of what was
 * downloaded or transferred), in its format; rejects with file:line when it
 * cannot. Lines are bounded by the zone's maxLineLength; only a zone that is
 * a local `file` may $INCLUDE: what came from elsewhere never reads this
 * machine's files.
 */
export async function loadZoneSource(zone: Config['policy']['zones'][number], path: string): Promise<PolicyZone> {
  if (zone.format === 'rpz') return loadPolicyZone(path, zone.name, { maxLineLength: zone.maxLineLength, includes: zone.file !== undefined ? 'allowed' : 'refused' });
  const origin = canonicalZoneName(zone.name);
  const compiler = new PolicyZoneCompiler(origin);
  // A list has no SOA; policy answers carry this one in their additional section, as a zone's own would be.
  compiler.add({ owner: origin, ttl: 300, type: 'SOA', rdata: ['localhost.', 'hostmaster.localhost.', '1', '3600', '600', '86400', '60'], origin, file: path, line: 0 });
  await readPlainList(path, zone.format, origin, (record) => compiler.add(record), zone.maxLineLength);
  return compiler.build(origin);
}
