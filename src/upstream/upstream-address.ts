import { isIPv4, isIPv6 } from 'node:net';

/** One upstream resolver's address, parsed once from the config's "addr:port" text. */
export interface UpstreamAddress {
  /** The address in the form the kernel reports it (IPv6 compressed, RFC 5952), for comparing with a packet's source. */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** The text as configured: how logs, attempts and answers name this upstream. */
  readonly label: string;
}

const EXPECTED = 'expected "192.0.2.1:53" or "[2001:db8::1]:53" (an IP address and a port from 1 to 65535)';

/** Parses "192.0.2.1:53" or "[2001:db8::1]:53"; throws an Error naming the text and the expected form. */
export function parseUpstreamAddress(text: string): UpstreamAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const v6 = match?.[1];
  const v4 = match?.[2];
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) throw new Error(`upstream "${text}": ${EXPECTED}`);
  if (v6 !== undefined && isIPv6(v6) && !v6.includes('%')) {
    // The URL parser writes IPv6 in the canonical compressed form, which is what
    // Node reports as a datagram's source address.
    return { host: new URL(`http://[${v6}]/`).hostname.slice(1, -1), port, family: 6, label: text };
  }
  if (v4 !== undefined && isIPv4(v4)) return { host: v4, port, family: 4, label: text };
  throw new Error(`upstream "${text}": ${EXPECTED}`);
}
