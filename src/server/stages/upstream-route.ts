import type { Next, Stage } from '../../model/query.js';

/**
 * The last stage when groups have upstreams of their own: hands the query to the cache and forward
 * stages of its group's upstream set (`tails[group.upstreamSet]`), so an answer from one set's
 * upstreams is never cached for, nor served to, a group of another set. A query without a group
 * uses set 0 (the top-level upstreams).
 */
export function upstreamRouteStage(tails: readonly Next[]): Stage {
  return (query) => tails[query.group?.upstreamSet ?? 0]!(query);
}
