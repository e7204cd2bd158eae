import { BlockList, isIP } from 'node:net';
import { unmapIPv4 } from '../../dns/ipv4-mapped.js';
import type { ReportEvent } from './parse-event.js';

/** The report's filters, as given on the command line; each list matches when any of its entries does. */
export interface ReportFilters {
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  /** Addresses, CIDR prefixes, or the literal client strings of the log (truncated `192.0.2.0/24`, hashes). */
  readonly clients?: readonly string[];
  /** Zone names or list names (the `list` of events). */
  readonly zones?: readonly string[];
  /** Names: each matches itself and every name below it. */
  readonly names?: readonly string[];
  /** Client group names, exactly as logged. */
  readonly groups?: readonly string[];
}

/** Distinct client strings whose match is remembered (then the memo starts over). */
const CLIENT_MEMO = 50_000;

/**
 * Compiles the filters into one predicate over events; undefined when there
 * are none. Throws on a malformed `--client` prefix, naming it.
 */
export function compileFilter(filters: ReportFilters): ((event: ReportEvent) => boolean) | undefined {
  const tests: Array<(event: ReportEvent) => boolean> = [];
  if (filters.since !== undefined) {
    const since = new Date(filters.since).toISOString();
    tests.push((event) => event.time >= since);
  }
  if (filters.until !== undefined) {
    const until = new Date(filters.until).toISOString();
    tests.push((event) => event.time < until);
  }
  if (filters.zones !== undefined && filters.zones.length > 0) {
    const zones = new Set(filters.zones);
    tests.push((event) => zones.has(event.zone) || zones.has(event.list));
  }
  if (filters.groups !== undefined && filters.groups.length > 0) {
    const groups = new Set(filters.groups);
    tests.push((event) => groups.has(event.group));
  }
  if (filters.names !== undefined && filters.names.length > 0) {
    const names = filters.names.map(normalName);
    tests.push((event) => {
      const qname = normalName(event.qname);
      return names.some((name) => qname === name || name === '' || (qname.endsWith(name) && qname.charCodeAt(qname.length - name.length - 1) === 46));
    });
  }
  if (filters.clients !== undefined && filters.clients.length > 0) tests.push(clientMatcher(filters.clients));
  if (tests.length === 0) return undefined;
  return (event) => tests.every((test) => test(event));
}

/** Lower case without the trailing dot: how the report compares and counts names. */
export function normalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Parsed `address[/length]`, IPv4-mapped IPv6 taken as IPv4; undefined when not an address. */
interface Prefix {
  readonly address: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly length: number;
}

function clientMatcher(wanted: readonly string[]): (event: ReportEvent) => boolean {
  const literals = new Set(wanted);
  const prefixes = wanted.map(parsePrefix).filter((p): p is Prefix => p !== undefined);
  for (const text of wanted) {
    if (text.includes('/') && parsePrefix(text) === undefined) throw new Error(`--client "${text}" is not a CIDR prefix; expected e.g. 192.0.2.0/24 or 2001:db8::/56`);
  }
  const list = new BlockList();
  for (const p of prefixes) list.addSubnet(p.address, p.length, p.family);
  const memo = new Map<string, boolean>();
  const decide = (client: string): boolean => {
    if (literals.has(client)) return true;
    const stored = parsePrefix(client);
    if (stored === undefined) return false;
    // A truncated client (a /24 or /56) matches a prefix that overlaps it.
    if (list.check(stored.address, stored.family)) return true;
    const inside = new BlockList();
    inside.addSubnet(stored.address, stored.length, stored.family);
    return prefixes.some((p) => p.length >= stored.length && p.family === stored.family && inside.check(p.address, p.family));
  };
  return (event) => {
    let hit = memo.get(event.client);
    if (hit === undefined) {
      if (memo.size >= CLIENT_MEMO) memo.clear();
      hit = decide(event.client);
      memo.set(event.client, hit);
    }
    return hit;
  };
}

function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const address = unmapIPv4(slash < 0 ? text : text.slice(0, slash));
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const lengthText = slash < 0 ? String(max) : text.slice(slash + 1);
  const length = /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 0 && length <= max)) return undefined;
  return { address, family: version === 4 ? 'ipv4' : 'ipv6', length };
}
