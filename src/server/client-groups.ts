import { BlockList, isIP, isIPv4 } from 'node:net';
import type { GroupConfig } from '../config/schema.js';
import { unmapIPv4 } from '../dns/ipv4-mapped.js';
import type { ClientGroup } from '../model/query.js';

/** Distinct (listener, client) pairs whose group is remembered; the memo is emptied when it fills. */
const MEMO_LIMIT = 65536;

/** One configured group, ready to match. */
interface Matcher {
  readonly group: ClientGroup;
  readonly clients: BlockList | null;
  readonly listeners: ReadonlySet<string> | null;
}

/**
 * The config's client groups, matched in order: the first whose clients (networks) and listeners (local
 * addresses) both match wins; no match, "default" (index 0). IPv4-mapped IPv6 addresses (a dual-stack
 * socket's view of an IPv4 peer) match as the IPv4 address they carry. BlockList.check costs microseconds,
 * so each (listener, client) pair's group is memoised.
 */
export class ClientGroups {
  readonly #matchers: readonly Matcher[];
  readonly #default: ClientGroup;
  /** listener text ("127.0.0.1:53") -> client address -> group. */
  readonly #memo = new Map<string, Map<string, ClientGroup>>();
  #memoSize = 0;
  /** What these groups were built from, to build them again in another thread. */
  readonly configs: readonly GroupConfig[];
  readonly upstreamSetOf: readonly number[];

  /** `upstreamSetOf[i]`: the upstream set of group i (upstream-sets.ts); left out, set 0 for every group. */
  constructor(groups: readonly GroupConfig[], upstreamSetOf: readonly number[] = []) {
    this.configs = groups;
    this.upstreamSetOf = upstreamSetOf;
    const grouped = groups.length > 1;
    const all = groups.map((config, index): Matcher => ({
      group: Object.freeze({ name: config.name, index, upstreamSet: upstreamSetOf[index] ?? 0, grouped }),
      clients: config.clients === undefined ? null : networks(config.clients),
      listeners: config.listeners === undefined ? null : new Set(config.listeners),
    }));
    this.#default = all[0]?.group ?? Object.freeze({ name: 'default', index: 0, upstreamSet: 0, grouped: false });
    this.#matchers = all.slice(1);
  }

  /** Every group, "default" first, by index. */
  get groups(): readonly ClientGroup[] {
    return [this.#default, ...this.#matchers.map((m) => m.group)];
  }

  /** The group of a query from `client` (its address) that arrived on `listener` ("127.0.0.1:53", "[::1]:53"). */
  groupOf(client: string, listener: string): ClientGroup {
    if (this.#matchers.length === 0) return this.#default;
    let byClient = this.#memo.get(listener);
    let group = byClient?.get(client);
    if (group !== undefined) return group;
    if (this.#memoSize >= MEMO_LIMIT) {
      this.#memo.clear();
      this.#memoSize = 0;
      byClient = undefined;
    }
    group = this.#match(client, listener);
    if (byClient === undefined) this.#memo.set(listener, (byClient = new Map()));
    byClient.set(client, group);
    this.#memoSize++;
    return group;
  }

  /**
   * The group of `client` as far as its address alone can tell (the stop page sees a browser's address, not the
   * DNS listener it asked): null when a group decided by listeners comes first that this client could be in.
   */
  byAddress(client: string): ClientGroup | null {
    const address = unmapIPv4(client);
    const family = isIP(address);
    if (family === 0) return null;
    for (const { group, clients, listeners } of this.#matchers) {
      if (clients !== null && !clients.check(address, family === 4 ? 'ipv4' : 'ipv6')) continue;
      return listeners === null ? group : null;
    }
    return this.#default;
  }

  #match(client: string, listener: string): ClientGroup {
    const address = unmapIPv4(client);
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    const local = unmapIPv4(listenerAddress(listener));
    for (const { group, clients, listeners } of this.#matchers) {
      if (listeners !== null && !listeners.has(local)) continue;
      if (clients !== null && !clients.check(address, family)) continue;
      return group;
    }
    return this.#default;
  }
}

function networks(list: GroupConfig['clients'] & object): BlockList {
  const blocks = new BlockList();
  for (const network of list) blocks.addSubnet(network.address, network.bits, network.family === 4 ? 'ipv4' : 'ipv6');
  return blocks;
}

/** The address part of a listener's "address:port" text, brackets taken off an IPv6 address. */
function listenerAddress(listener: string): string {
  const colon = listener.lastIndexOf(':');
  const address = colon < 0 ? listener : listener.slice(0, colon);
  return address.startsWith('[') ? address.slice(1, -1) : address;
}
