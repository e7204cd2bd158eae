import { BlockList, isIP } from 'node:net';
import type { Config } from '../../src/config/schema.js';

/** The only addresses a test may send to: 127.0.0.0/8 and ::1. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Throws unless `entry` ("addr:port", "[v6]:port", a bare address, or a parsed endpoint's text) is on loopback. */
export function assertLoopback(entry: string | { readonly label: string }): void {
  const hostPort = typeof entry === 'string' ? entry : entry.label;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostPort);
  const host = bracketed ? bracketed[1]! : isIP(hostPort) ? hostPort : hostPort.replace(/:\d+$/, '');
  const family = isIP(host);
  if (family === 0 || !LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6')) {
    throw new Error(`test network guard: ${hostPort} is not on loopback (127.0.0.0/8 or ::1); tests never send anywhere else`);
  }
}

/** assertLoopback for each entry. */
export function assertLoopbackAll(list: ReadonlyArray<string | { readonly label: string }>): void {
  for (const entry of list) assertLoopback(entry);
}

/** Throws unless `url`'s host is a loopback address (a name such as "localhost" would go to a resolver: refused). */
export function assertLoopbackUrl(url: string | URL): void {
  assertLoopback(new URL(url).host);
}

/**
 * Throws unless every address in `config` that Stopzone sends to or listens on
 * is on loopback: upstreams (the groups' own too), DNS listen addresses, the admin and (when on)
 * stop-page listeners, zone primaries and feed URLs.
 */
export function assertConfigOnLoopback(config: Config): void {
  assertLoopbackAll(config.upstreams);
  for (const group of config.groups) assertLoopbackAll(group.upstreams ?? []);
  assertLoopbackAll(config.listen.addresses);
  assertLoopbackAll(config.admin.listen);
  if (config.stopPage.enabled) assertLoopbackAll([...config.stopPage.http, ...config.stopPage.https]);
  for (const zone of config.policy.zones) {
    assertLoopbackAll(zone.primaries ?? []);
    if (zone.url !== undefined) assertLoopbackUrl(zone.url);
  }
}

/** nsd.conf keys whose value starts with an address NSD sends to, or takes transfers or NOTIFYs from. */
const NSD_ADDRESS_KEYS = new Set(['notify', 'request-xfr', 'provide-xfr', 'allow-notify', 'outgoing-interface', 'allow-query']);
/** nsd.conf zone keys a test may set that name no address. */
const NSD_PLAIN_KEYS = new Set(['notify-retry', 'allow-axfr-fallback', 'max-refresh-time', 'min-refresh-time', 'max-retry-time', 'min-retry-time', 'size-limit-xfr', 'zonestats']);

/**
 * Throws unless an nsd.conf zone option line is one the guard knows and any
 * address in it is on loopback ("provide-xfr: 127.0.0.1 key", "notify: 127.0.0.1@5300 key").
 */
export function assertNsdOptionLine(line: string): void {
  const match = /^\s*([a-z-]+):\s*(\S*)/.exec(line);
  const key = match?.[1] ?? '';
  if (NSD_PLAIN_KEYS.has(key)) return;
  if (!NSD_ADDRESS_KEYS.has(key)) throw new Error(`test network guard: nsd option "${line}" is not one the guard knows; add its key to loopback-guard.ts after checking what it sends to`);
  // "127.0.0.1@5300", "127.0.0.0/8", "::1": the address before any @port or /prefix.
  const address = match![2]!.replace(/@\d+$/, '').replace(/\/(\d+)$/, (_all, bits: string) => {
    if (Number(bits) < (match![2]!.includes(':') ? 128 : 8)) throw new Error(`test network guard: nsd option "${line}" reaches past loopback`);
    return '';
  });
  assertLoopback(address);
}

let fetchGuarded = false;

/**
 * Wraps this process's global fetch so that each request and each redirect
 * hop must go to loopback; any other target rejects with the guard's message
 * and nothing is sent there. Stopzone follows redirects by hand (one fetch per
 * hop); a caller that lets fetch follow them gets them followed here, hop by
 * hop, through the guard.
 */
export function guardFetch(): void {
  if (fetchGuarded) return;
  fetchGuarded = true;
  const unguarded = globalThis.fetch;
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url = input instanceof Request ? input.url : String(input);
    assertLoopbackUrl(url);
    if (init?.redirect === 'manual' || init?.redirect === 'error') return unguarded(input, init);
    for (let hop = 0; ; hop++) {
      const response = await unguarded(url, { ...init, redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || location === null || hop >= 20) return response;
      url = new URL(location, url).href;
      assertLoopbackUrl(url);
    }
  };
  globalThis.fetch = guarded as typeof fetch;
}
