import type { BlockList } from 'node:net';
import type { AnswerCache } from '../cache/answer-cache.js';
import type { UpstreamPool } from '../upstream/index.js';
import type { Stage } from '../model/query.js';
import { accessStage } from './stages/access.js';
import { cacheStage } from './stages/cache.js';
import { forwardStage, type UpstreamObserver } from './stages/forward.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import { policyStage } from './stages/policy.js';
import { scopeStage } from './stages/scope.js';
import { upstreamRouteStage } from './stages/upstream-route.js';
import { compose } from './pipeline.js';
import type { StopPageRdata } from '../rpz/rewrite.js';

/** What the stages are built from. */
export interface StageParts {
  readonly allowed: BlockList;
  readonly cache: AnswerCache;
  readonly pool: UpstreamPool;
  readonly policy: PolicySource;
  readonly stopPage: StopPageRdata;
  readonly upstreamObserver?: UpstreamObserver;
  /** The clock schedules are read with (zones in force for a group at this hour). */
  readonly now?: () => number;
  /**
   * When groups have upstreams of their own: each set's cache and pool (set 0 is `cache` and `pool`), picked
   * by the query's `group.upstreamSet`. Left out, or one set: every query uses `cache` and `pool`.
   */
  readonly upstreamSets?: ReadonlyArray<{ readonly cache: AnswerCache; readonly pool: UpstreamPool }>;
}

/**
 * The order every query passes through: the one place it is declared.
 * Rate limiting is not a stage: it runs in the UDP listener before a datagram
 * is decoded (rate-limit/rate-limiter.ts), so that a flood costs an address
 * lookup per datagram and also cannot make us send REFUSED, FORMERR or NOTIFY
 * answers without limit; TCP, whose source cannot be forged, is not limited.
 */
export function stagesInOrder(parts: StageParts): Stage[] {
  return [
    accessStage(parts.allowed), // first: a client we do not serve learns nothing and costs nothing
    scopeStage(), // before policy: zone transfers, meta types and other classes never reach the cache or upstreams, whatever the policy says
    policyStage(parts.policy, parts.stopPage, parts.now), // before the cache: listed names never reach the upstreams, and rewritten answers are never cached
    ...upstreamStages(parts),
  ];
}

/** The cache and forward stages; with several upstream sets, one such tail per set behind a stage that picks it by group. */
function upstreamStages(parts: StageParts): Stage[] {
  const tail = (cache: AnswerCache, pool: UpstreamPool): Stage[] => [
    cacheStage(cache), // before forward: a fresh answer never leaves the process
    forwardStage(pool, parts.upstreamObserver), // last: only misses reach the upstreams
  ];
  const sets = parts.upstreamSets;
  if (sets === undefined || sets.length <= 1) return tail(parts.cache, parts.pool);
  return [upstreamRouteStage(sets.map(({ cache, pool }) => compose(tail(cache, pool))))];
}
