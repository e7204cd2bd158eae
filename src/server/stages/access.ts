import { BlockList, isIPv4 } from 'node:net';
import type { Network } from '../../config/address.js';
import { unmapIPv4 } from '../../dns/ipv4-mapped.js';
import { emptyReply } from '../../dns/replies.js';
import { Rcode } from '../../dns/types.js';
import type { Stage } from '../../model/query.js';

/** Builds the set of allowed client networks from the config's (access.allow). */
export function allowList(networks: readonly Network[]): BlockList {
  const list = new BlockList();
  for (const network of networks) list.addSubnet(network.address, network.bits, network.family === 4 ? 'ipv4' : 'ipv6');
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
  return (query, next) => {
    if (isAllowed(query.client.address)) return next(query);
    return { message: emptyReply(query.raw, Rcode.REFUSED, query.questionEnd), source: 'local', rcode: Rcode.REFUSED };
  };
}
