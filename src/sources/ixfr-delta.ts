import { canonicalZoneName } from '../rpz/load-zone.js';
import type { DeltaBase } from '../rpz/policy-zone.js';
import { applyDelta, type DeltaOutcome } from '../rpz/zone-delta.js';
import { readZoneText, type ZoneRecord } from '../rpz/zone-reader.js';
import type { TouchedLines } from './zone-transfer/zone-copy.js';

/**
 * Changes the zone in force (`base`) by an IXFR that applyDeltas wrote to
 * the copy, from the copy lines it touched; or says why the new copy must be
 * compiled whole. `source` names the lines in warnings. The lines are read as
 * the copy is: within the zone's maxLineLength, $INCLUDE refused.
 */
export async function editByDelta(base: DeltaBase, zoneName: string, lines: TouchedLines, source: string, maxLineLength?: number): Promise<DeltaOutcome> {
  const origin = canonicalZoneName(zoneName);
  const read = async (text: readonly string[]): Promise<ZoneRecord[]> => {
    const records: ZoneRecord[] = [];
    await readZoneText(text.join('\n'), source, { origin, includes: 'refused', ...(maxLineLength !== undefined && { maxLineLength }) }, (record) => records.push(record));
    return records;
  };
  return applyDelta(base, origin, { before: await read(lines.before), after: await read(lines.after) });
}
