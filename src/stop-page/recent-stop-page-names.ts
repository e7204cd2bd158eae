import { LRUCache } from 'lru-cache';
import { unmapIPv4 } from '../dns/ipv4-mapped.js';
import type { Query } from '../model/query.js';
import { ActionKind } from '../rpz/actions.js';
import type { PolicyHit } from '../rpz/policy-set.js';
import { TriggerType } from '../rpz/triggers.js';

/** The zone and rule that sent a name to the stop page (strings only: no policy version is kept alive). */
export interface RecentBlock {
  readonly zone: string;
  readonly rule: string;
}

export interface RecentOptions {
  readonly now: () => number;
  /** Names kept at most (default 10,000) and for how long (default 10 minutes); the same for (client, name) groups. */
  readonly max?: number;
  readonly ttlMs?: number;
}

/**
 * What DNS recently sent to the stop page that the page cannot find again from the visit alone. First, query
 * names answered with the stop page's addresses for a reason the name alone does not give: a QNAME rule on a
 * later CNAME of the chain, an rpz-ip rule on an answer address, or an rpz-client-ip rule (the browser's TCP
 * address may differ from the DNS client's behind a NAT). The browser's SNI and Host are the query name, so
 * with this the HTTPS side may sign a leaf for it and the page can name the rule; a QNAME hit on the query name
 * itself is not kept, since the policy in force answers it again. Second, when the config has client groups,
 * the group DNS saw for each (client address, name) it sent to the stop page, whatever the rule: a group told
 * by the DNS listener a query arrived on cannot be told from an HTTP visit. Both bounded in count and age.
 */
export class RecentStopPageNames {
  readonly #names: LRUCache<string, RecentBlock>;
  /** "client name" -> the group's name (not its index: a reload may renumber the groups). */
  readonly #groups: LRUCache<string, string>;

  constructor(options: RecentOptions) {
    const limits = { max: options.max ?? 10_000, ttl: options.ttlMs ?? 600_000, ttlResolution: 0, perf: { now: options.now } };
    this.#names = new LRUCache(limits);
    this.#groups = new LRUCache(limits);
  }

  /** Called for each policy answer; keeps what the stop page will need when it went there. */
  record(query: Query, hit: PolicyHit): void {
    if (hit.kind !== ActionKind.STOP_PAGE) return;
    const qname = query.question.lname;
    if (query.group?.grouped === true) this.#groups.set(visit(query.client.address, qname), query.group.name);
    if (hit.trigger === TriggerType.QNAME && hit.step === 0) return;
    this.#names.set(qname, { zone: hit.zone.name, rule: hit.via });
  }

  /** The block of a name (lower case, no trailing dot) sent to the stop page within the last minutes, if any. */
  get(name: string): RecentBlock | undefined {
    return this.#names.get(name);
  }

  /** The name of the group DNS saw for `client` when it sent `name` to the stop page within the last minutes, if any. */
  groupOf(client: string, name: string): string | undefined {
    return this.#groups.get(visit(client, name));
  }
}

/** One key per client address (IPv4-mapped IPv6 as IPv4, as the page sees it) and name. */
function visit(client: string, name: string): string {
  return `${unmapIPv4(client)} ${name}`;
}
