import { BlockList, isIPv4 } from 'node:net';
import { unmapIPv4 } from '../../dns/ipv4-mapped.js';
import { emptyReply } from '../../dns/replies.js';
import { Rcode } from '../../dns/types.js';
import type { Stage } from '../../model/query.js';

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
  const unmapped = unmapIPv4(address);
  return unmapped === address ? [address, 'ipv6'] : [unmapped, 'ipv4'];
}

/** Distinct client addresses whose verdict is remembered; the memo is emptied when it fills. */
const MEMO_LIMIT = 65536;

/**
 * Clients outside the allowed networks get REFUSED and nothing else.
 * BlockList.check costs about 3 µs, so verdicts are memoised per address.
 */
export function accessStage(allowed: BlockList): Stage {
  const verdicts = new Map<string, boolean>();
  const isAllowed = (client: string): boolean => {
    let verdict = verdicts.get(client);
    if (verdict === undefined) {
      if (verdicts.size >= MEMO_LIMIT) verdicts.clear();
      verdict = allowed.check(...clientFamily(client));
      verdicts.set(client, verdict);
    }
    return verdict;
  };
  return async (query, next) => {
    if (isAllowed(query.client.address)) return next(query);
    return { message: emptyReply(query.raw, Rcode.REFUSED, query.questionEnd), source: 'local', rcode: Rcode.REFUSED };
  };
}
