import { cacheKey, type AnswerCache } from '../../cache/answer-cache.js';
import { UpstreamFailure } from '../../upstream/index.js';
import type { Stage } from '../../model/query.js';

/**
 * Answers from the cache when it holds a fresh answer; otherwise asks `next`
 * and stores what the upstream said. When every upstream fails, serves a stale
 * answer if one is still inside the serve-stale window (RFC 8767).
 */
export function cacheStage(cache: AnswerCache): Stage {
  return async (query, next) => {
    const key = cacheKey(query.question, query.edns?.dnssecOk === true, query.cd);
    const hit = cache.fresh(key);
    if (hit !== undefined) return { message: hit.message, source: 'cache', rcode: hit.rcode };
    try {
      const answer = await next(query);
      if (answer.source !== 'upstream' || answer.message === null || !cache.store(key, answer.message, query.questionEnd)) return answer;
      // Answer from the stored copy so the first client sees the same capped TTLs as the next ones.
      const stored = cache.fresh(key);
      return stored === undefined ? answer : { ...answer, message: stored.message };
    } catch (error) {
      const stale = error instanceof UpstreamFailure ? cache.stale(key) : undefined;
      if (stale === undefined) throw error;
      return { message: stale.message, source: 'stale', rcode: stale.rcode };
    }
  };
}
