import { LRUCache } from 'lru-cache';
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
  /** Names kept at most (default 10,000) and for how long (default 10 minutes). */
  readonly max?: number;
  readonly ttlMs?: number;
}

/**
 * Query names that DNS recently answered with the stop page's addresses for a
 * reason the stop page cannot find again from the name alone: a QNAME rule on
 * a later CNAME of the chain, an rpz-ip rule on an answer address, or an
 * rpz-client-ip rule (the browser's TCP address may differ from the DNS
 * client's behind a NAT). The browser's SNI and Host are the query name, so
 * with this the HTTPS side may sign a leaf for it and the page can name the
 * rule. Bounded in count and age; a QNAME hit on the query name itself is not
 * kept, since the policy in force answers it again.
 */
export class RecentStopPageNames {
  readonly #names: LRUCache<string, RecentBlock>;

  constructor(options: RecentOptions) {
    this.#names = new LRUCache({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 600_000, ttlResolution: 0, perf: { now: options.now } });
  }

  /** Called for each policy answer with the lower-case query name; keeps it when it went to the stop page for one of the reasons above. */
  record(qname: string, hit: PolicyHit): void {
    if (hit.kind !== ActionKind.STOP_PAGE || (hit.trigger === TriggerType.QNAME && hit.step === 0)) return;
    this.#names.set(qname, { zone: hit.zone.name, rule: hit.via });
  }

  /** The block of a name (lower case, no trailing dot) sent to the stop page within the last minutes, if any. */
  get(name: string): RecentBlock | undefined {
    return this.#names.get(name);
  }
}
