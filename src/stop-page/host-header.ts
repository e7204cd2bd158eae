import { isIP } from 'node:net';

/** What the Host header names: a host name to look up, an address literal (never blocked by name), or nothing usable. */
export type RequestHost = { readonly kind: 'name' | 'address'; readonly host: string } | { readonly kind: 'invalid' };

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Reads a Host header (or the TLS SNI name when there is none): lower-cased,
 * port and trailing dot removed. Anything but a DNS name of at most 253
 * characters in letters, digits, "-" and "_", or an IP literal, is invalid.
 */
export function parseHost(header: string | undefined): RequestHost {
  if (header === undefined || header.length === 0 || header.length > 300) return { kind: 'invalid' };
  let host = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::[0-9]{1,5})?$/.exec(host);
  if (bracketed !== null) return isIP(bracketed[1]!) === 6 ? { kind: 'address', host: bracketed[1]! } : { kind: 'invalid' };
  host = host.replace(/:[0-9]{1,5}$/, '');
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (isIP(host) === 4) return { kind: 'address', host };
  if (host.length === 0 || host.length > 253) return { kind: 'invalid' };
  return host.split('.').every((label) => LABEL.test(label)) ? { kind: 'name', host } : { kind: 'invalid' };
}
