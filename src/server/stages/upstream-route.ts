import type { Next, Stage } from '../../model/query.js';

/**
 * The last stage when groups have upstreams of their own: hands the query to the cache and forward
 * stages of its group's upstream set (`tails[setOf[group index]]`), so an answer from one set's
 * upstreams is never cached for, nor served to, a group of another set. A query without a group is
 * "default" (index 0).
 */
export function upstreamRouteStage(tails: readonly Next[], setOf: readonly number[]): Stage {
  return (query) => tails[setOf[query.group?.index ?? 0] ?? 0]!(query);
}
