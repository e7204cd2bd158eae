import { BlockList, isIP } from 'node:net';

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
