import type { Config } from './schema.js';

/** A value the schema accepts but that cannot work. */
export interface MeaningProblem {
  readonly path: string[];
  readonly value: unknown;
  readonly expected: string;
}

/** Checks what a JSON Schema cannot say and read-addresses.ts does not: one source per zone, names that refer to each other, keys that go together. */
export function checkMeaning(config: Config): MeaningProblem | null {
  for (const [i, zone] of config.policy.zones.entries()) {
    const sources = [zone.file, zone.url, zone.primaries].filter((source) => source !== undefined).length;
    if (sources !== 1) {
      return { path: ['policy', 'zones', String(i)], value: zone.name, expected: 'exactly one source: file, url or primaries' };
    }
    if (zone.key !== undefined && !config.tsigKeys.some((key) => key.name === zone.key)) {
      return { path: ['policy', 'zones', String(i), 'key'], value: zone.key, expected: `the name of a tsigKeys entry (${config.tsigKeys.map((key) => key.name).join(', ') || 'none defined'})` };
    }
    if (zone.primaries !== undefined && zone.format !== 'rpz') {
      return { path: ['policy', 'zones', String(i), 'format'], value: zone.format, expected: 'rpz: a zone transferred from primaries is a zone' };
    }
    if (zone.policy === 'cname' && zone.cname === undefined) {
      return { path: ['policy', 'zones', String(i), 'cname'], value: undefined, expected: 'a target name, since policy is "cname"' };
    }
    if (zone.policy === 'stop-page' && config.stopPage.addresses.length === 0) {
      return { path: ['stopPage', 'addresses'], value: [], expected: `at least one address, since zone "${zone.name}" answers with the stop page` };
    }
    const earlier = config.policy.zones.findIndex((other) => other.name.replace(/\.$/, '').toLowerCase() === zone.name.replace(/\.$/, '').toLowerCase());
    if (earlier !== i) return { path: ['policy', 'zones', String(i), 'name'], value: zone.name, expected: `a name not used by zone ${earlier} already` };
  }
  if ((config.stopPage.caCertFile === undefined) !== (config.stopPage.caKeyFile === undefined)) {
    const missing = config.stopPage.caCertFile === undefined ? 'caCertFile' : 'caKeyFile';
    return { path: ['stopPage', missing], value: undefined, expected: 'both caCertFile and caKeyFile, or neither' };
  }
  if (config.upstream.timeoutMs > config.upstream.deadlineMs) {
    return { path: ['upstream', 'timeoutMs'], value: config.upstream.timeoutMs, expected: `at most upstream.deadlineMs (${config.upstream.deadlineMs})` };
  }
  return null;
}
