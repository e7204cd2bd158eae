import { BlockList, isIPv4 } from 'node:net';
import { emptyReply } from '../../dns/replies.js';
import { Rcode } from '../../dns/types.js';
import type { Stage } from '../query.js';

/** Builds the set of allowed client networks from CIDR strings ("10.0.0.0/8", "::1"). */
export function allowList(networks: readonly string[]): BlockList {
  const list = new BlockList();
  for (const network of networks) {
    const [address = '', prefix] = network.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    const bits = prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix);
    list.addSubnet(address, bits, family);
  }
  return list;
}

/** An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is checked as the IPv4 address it carries. */
function clientFamily(address: string): [string, 'ipv4' | 'ipv6'] {
  if (isIPv4(address)) return [address, 'ipv4'];
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) return [address.slice(7), 'ipv4'];
  return [address, 'ipv6'];
}

/** Clients outside the allowed networks get REFUSED and nothing else. */
export function accessStage(allowed: BlockList): Stage {
  return async (query, next) => {
    const [address, family] = clientFamily(query.client.address);
    if (allowed.check(address, family)) return next(query);
    return { message: emptyReply(query.raw, Rcode.REFUSED, query.questionEnd), source: 'local', rcode: Rcode.REFUSED };
  };
}
