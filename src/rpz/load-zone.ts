import type { PolicyZone } from './policy-zone.js';
import { PolicyZoneCompiler } from './zone-compiler.js';
import { readZone, readZoneText } from './zone-reader.js';

/**
 * Loads a policy zone from its master file, as the server does. Rejects with
 * a ZoneSyntaxError (`file:line: found X, expected Y`) when the file cannot be
 * read as a zone; unusable records are skipped and listed in `stats.warnings`.
 */
export async function loadPolicyZone(file: string, name: string): Promise<PolicyZone> {
  const origin = canonicalZoneName(name);
  const compiler = new PolicyZoneCompiler(origin);
  await readZone(file, { origin }, (record) => compiler.add(record));
  return compiler.build(origin);
}

/** The same from text (tests, embedded zones). `source` names it in errors. */
export async function loadPolicyZoneText(text: string, name: string, source = name): Promise<PolicyZone> {
  const origin = canonicalZoneName(name);
  const compiler = new PolicyZoneCompiler(origin);
  await readZoneText(text, source, { origin }, (record) => compiler.add(record));
  return compiler.build(origin);
}

/** "Policy.RPZ." -> "policy.rpz" */
export function canonicalZoneName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
