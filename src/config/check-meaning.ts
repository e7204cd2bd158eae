import type { Config } from './schema.js';
import { isLoopback } from './address.js';

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
  const admin = adminProblem(config);
  if (admin !== null) return admin;
  if (config.upstream.timeoutMs > config.upstream.deadlineMs) {
    return { path: ['upstream', 'timeoutMs'], value: config.upstream.timeoutMs, expected: `at most upstream.deadlineMs (${config.upstream.deadlineMs})` };
  }
  return null;
}

/**
 * The admin listener and the console: a console reachable off loopback needs a password (issue 20: refuse to
 * start rather than open the policy to the network), HTTPS needs both files, and the zones the console writes
 * to must be policy zones read from files.
 */
function adminProblem(config: Config): MeaningProblem | null {
  const { admin } = config;
  const exposed = admin.listen.find((endpoint) => !isLoopback(endpoint.host));
  if (config.console.enabled && exposed !== undefined && admin.passwordHash === undefined) {
    return {
      path: ['admin', 'passwordHash'],
      value: undefined,
      expected: `a password hash (run "stopzone passwd" and put what it prints here or in STOPZONE_ADMIN_PASSWORD_HASH), since admin.listen ${exposed.label} is not on loopback and the console would be open to anyone who reaches it; or listen on 127.0.0.1 or [::1], or set console.enabled: false to serve /metrics, /healthz and /readyz only`,
    };
  }
  if ((admin.certFile === undefined) !== (admin.keyFile === undefined)) {
    const missing = admin.certFile === undefined ? 'certFile' : 'keyFile';
    return { path: ['admin', missing], value: undefined, expected: 'both certFile and keyFile, or neither' };
  }
  const names = admin.tokens.map((token) => token.name);
  const repeated = names.findIndex((name, i) => names.indexOf(name) !== i);
  if (repeated >= 0) return { path: ['admin', 'tokens', String(repeated), 'name'], value: names[repeated], expected: 'a name no other token has (the audit log tells them apart by it)' };
  for (const key of ['allowZone', 'blockZone'] as const) {
    const name = config.console[key];
    if (name === undefined) continue;
    const zone = config.policy.zones.find((candidate) => candidate.name === name);
    if (zone?.file === undefined) {
      const files = config.policy.zones.filter((candidate) => candidate.file !== undefined).map((candidate) => candidate.name);
      return { path: ['console', key], value: name, expected: `the name of a policy zone read from a file (${files.join(', ') || 'none configured'})` };
    }
  }
  return null;
}
