import { isIP } from 'node:net';
import type { Config } from './schema.js';

/** A value the schema accepts but that cannot work. */
export interface MeaningProblem {
  readonly path: string[];
  readonly value: unknown;
  readonly expected: string;
}

/** Checks what a JSON Schema cannot say: address syntax, prefix lengths, port ranges. */
export function checkMeaning(config: Config): MeaningProblem | null {
  for (const [i, upstream] of config.upstreams.entries()) {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(upstream);
    const port = Number(match?.[2]);
    if (match === null || isIP(match[1]!) === 0 || port < 1 || port > 65535) {
      return { path: ['upstreams', String(i)], value: upstream, expected: 'an IP address and a port from 1 to 65535, like "192.0.2.1:53" or "[2001:db8::1]:53"' };
    }
  }
  const listeners = { 'admin.listen': config.admin.listen, 'stopPage.http': config.stopPage.http, 'stopPage.https': config.stopPage.https };
  for (const [key, addresses] of Object.entries(listeners)) {
    for (const [i, address] of addresses.entries()) {
      const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
      if (match === null || isIP(match[1]!) === 0 || Number(match[2]) > 65535) {
        return { path: [...key.split('.'), String(i)], value: address, expected: 'an IP address and a port (0 picks a free one), like "127.0.0.1:9153" or "[::1]:9153"' };
      }
    }
  }
  for (const path of [['access', 'allow'], ['rateLimit', 'exempt']] as const) {
    const networks = path[0] === 'access' ? config.access.allow : config.rateLimit.exempt;
    for (const [i, network] of networks.entries()) {
      const [address = '', prefix] = network.split('/');
      const family = isIP(address);
      const bits = prefix === undefined ? undefined : Number(prefix);
      const maxBits = family === 6 ? 128 : 32;
      if (family === 0 || (bits !== undefined && (!Number.isInteger(bits) || bits > maxBits))) {
        return { path: [...path, String(i)], value: network, expected: `an address or a network like "192.0.2.0/24" or "2001:db8::/32" (prefix at most ${maxBits})` };
      }
    }
  }
  for (const [i, zone] of config.policy.zones.entries()) {
    const sources = [zone.file, zone.url, zone.primaries].filter((source) => source !== undefined).length;
    if (sources !== 1) {
      return { path: ['policy', 'zones', String(i)], value: zone.name, expected: 'exactly one source: file, url or primaries' };
    }
    if (zone.key !== undefined && !config.tsigKeys.some((key) => key.name === zone.key)) {
      return { path: ['policy', 'zones', String(i), 'key'], value: zone.key, expected: `the name of a tsigKeys entry (${config.tsigKeys.map((key) => key.name).join(', ') || 'none defined'})` };
    }
    for (const [j, primary] of (zone.primaries ?? []).entries()) {
      const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(primary) ?? /^([^:\[\]]+)(?::(\d+))?$/.exec(primary) ?? (isIP(primary) === 6 ? [primary, primary] : null);
      const port = match?.[2] === undefined ? 53 : Number(match[2]);
      if (match === null || isIP(match[1]!) === 0 || port < 1 || port > 65535) {
        return { path: ['policy', 'zones', String(i), 'primaries', String(j)], value: primary, expected: 'an IP address, optionally with a port: "192.0.2.1", "192.0.2.1:5300" or "[2001:db8::1]:53"' };
      }
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
