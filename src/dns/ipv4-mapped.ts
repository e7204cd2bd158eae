import { isIPv4 } from 'node:net';

const MAPPED_PREFIX = /^::ffff:/i;

/**
 * An IPv4-mapped IPv6 address (RFC 4291 section 2.5.5.2, "::ffff:192.0.2.1",
 * as a dual-stack socket reports an IPv4 peer) as the IPv4 address it
 * carries; any other text unchanged. Only the exact prefix followed by a
 * dotted quad counts: "::ffff:1:2" is an IPv6 address and stays one.
 */
export function unmapIPv4(address: string): string {
  if (!MAPPED_PREFIX.test(address)) return address;
  const v4 = address.slice(7);
  return isIPv4(v4) ? v4 : address;
}
