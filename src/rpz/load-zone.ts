import type { PolicyZone } from './policy-zone.js';
import { PolicyZoneCompiler } from './zone-compiler.js';
import { readZone, readZoneText, type ReadZoneOptions } from './zone-reader.js';

/** How to read the zone's text: limits, and whether $INCLUDE may read local files (see ReadZoneOptions). */
export type LoadZoneOptions = Pick<ReadZoneOptions, 'maxLineLength' | 'maxBytes' | 'includes'>;

/**
 * Loads a policy zone from its master file, as the server does. Rejects with
 * a ZoneSyntaxError (`file:line: found X, expected Y`) when the file cannot be
 * read as a zone; unusable records are skipped and listed in `stats.warnings`.
 */
export async function loadPolicyZone(file: string, name: string, options: LoadZoneOptions = {}): Promise<PolicyZone> {
  const origin = canonicalZoneName(name);
  const compiler = new PolicyZoneCompiler(origin);
  await readZone(file, { ...options, origin }, (record) => compiler.add(record));
  return compiler.build(origin);
}

/** The same from text (tests, embedded zones; $INCLUDE refused unless `options` allow it). `source` names it in errors. */
export async function loadPolicyZoneText(text: string, name: string, source = name, options: LoadZoneOptions = {}): Promise<PolicyZone> {
  const origin = canonicalZoneName(name);
  const compiler = new PolicyZoneCompiler(origin);
  await readZoneText(text, source, { ...options, origin }, (record) => compiler.add(record));
  return compiler.build(origin);
}

/** "Policy.RPZ." -> "policy.rpz" */
export function canonicalZoneName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
