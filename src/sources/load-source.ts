import { stat } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { canonicalZoneName, loadPolicyZone } from '../rpz/load-zone.js';
import type { PolicyZone } from '../rpz/policy-zone.js';
import { PolicyZoneCompiler } from '../rpz/zone-compiler.js';
import { readPlainList } from './plain-list.js';

/**
 * Loads one configured zone from `path` (its file, or the copy of what was
 * downloaded or transferred), in its format; rejects with file:line when it
 * cannot, or when it is not a regular file. Lines are bounded by the zone's
 * maxLineLength; only a zone that is a local `file` may $INCLUDE: what came
 * from elsewhere never reads this machine's files. A zone file must hold its
 * SOA record, as BIND requires: an empty or half-written file is refused, not
 * loaded as a zone with fewer rules. A zero-byte plain list loads as an empty
 * list only when no version is in force (`inForce`): a list that had names is
 * not emptied by a file that may be half-written.
 */
export async function loadZoneSource(zone: Config['policy']['zones'][number], path: string, inForce = false): Promise<PolicyZone> {
  const stats = await stat(path);
  // A FIFO or a device would hold the reader until someone writes to it, or never end.
  if (!stats.isFile()) throw new Error(`${path} is not a regular file (${stats.isFIFO() ? 'a named pipe' : stats.isDirectory() ? 'a directory' : 'a device or socket'}); expected a zone file or list`);
  const { size } = stats;
  if (zone.format === 'rpz') {
    if (size === 0) throw new Error(`${path} is empty (0 bytes); expected a policy zone, starting with its SOA record`);
    const loaded = await loadPolicyZone(path, zone.name, { maxLineLength: zone.maxLineLength, includes: zone.file !== undefined ? 'allowed' : 'refused' });
    if (loaded.soa === null) throw new Error(`${path} has no SOA record (${loaded.stats.records} records read); expected a policy zone with its SOA record, as BIND requires (an empty or cut-off file has none)`);
    return loaded;
  }
  if (size === 0 && inForce) throw new Error(`${path} is empty (0 bytes); an empty file does not replace a list in force (it may be half-written): to empty the list on purpose, leave a comment line in it`);
  const origin = canonicalZoneName(zone.name);
  const compiler = new PolicyZoneCompiler(origin);
  // A list has no SOA; policy answers carry this one in their additional section, as a zone's own would be.
  compiler.add({ owner: origin, ttl: 300, type: 'SOA', rdata: ['localhost.', 'hostmaster.localhost.', '1', '3600', '600', '86400', '60'], origin, file: path, line: 0 });
  await readPlainList(path, zone.format, origin, compiler, zone.maxLineLength);
  return compiler.build(origin);
}
