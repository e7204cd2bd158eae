import { createHmac } from 'node:crypto';
import { isIPv4, SocketAddress } from 'node:net';
import { unmapIPv4 } from '../dns/ipv4-mapped.js';

/** How client addresses appear in the block log. */
export type ClientPrivacy = 'keep' | 'truncate' | 'hash';

/**
 * Returns the function that writes a client address into events: as is;
 * truncated to its /24 (IPv4) or /56 (IPv6) network; or as a keyed hash
 * (the same client gives the same 16 hex digits while the key is the same,
 * so "top clients" still works without naming anyone).
 */
export function clientWriter(mode: ClientPrivacy, key: Buffer): (address: string) => string {
  switch (mode) {
    case 'keep':
      return (address) => address;
    case 'truncate':
      return truncate;
    case 'hash':
      return (address) => createHmac('sha256', key).update(address).digest('hex').slice(0, 16);
  }
}

function truncate(address: string): string {
  const v4 = unmapIPv4(address);
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  // The first 56 bits: three full 16-bit groups and the high byte of the fourth.
  const groups = expandIPv6(address);
  if (groups === null) return address;
  const fourth = (parseInt(groups[3]!, 16) & 0xff00).toString(16);
  // Written the canonical way (RFC 5952 section 4: zeros compressed, lower case), as inet_ntop writes it.
  const network = new SocketAddress({ address: `${groups.slice(0, 3).join(':')}:${fourth}::`, family: 'ipv6' }).address;
  return `${network}/56`;
}

/** The eight 16-bit groups of an IPv6 address as written (hex, "::" expanded to zeros), or null when it is not one. */
export function expandIPv6(address: string): string[] | null {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? left.length !== 8 : missing < 0) return null;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
}
