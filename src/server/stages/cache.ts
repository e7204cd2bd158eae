import { cacheKey, type AnswerCache } from '../../cache/answer-cache.js';
import { isPending } from '../../runtime/awaitable.js';
import { UpstreamFailure } from '../../upstream/index.js';
import type { Answer, Stage } from '../../model/query.js';

/**
 * Answers from the cache when it holds a fresh answer, at once (no promise); otherwise asks `next` and stores
 * what the upstream said. When every upstream fails, serves a stale answer if one is still inside the
 * serve-stale window (RFC 8767).
 */
export function cacheStage(cache: AnswerCache): Stage {
  return (query, next) => {
    const key = cacheKey(query.question, query.edns?.dnssecOk === true, query.cd);
    const hit = cache.fresh(key);
    if (hit !== undefined) return { message: hit.message, source: 'cache', rcode: hit.rcode };
    const stored = (answer: Answer): Answer => {
      if (answer.source !== 'upstream' || answer.message === null) return answer;
      // Answer from the stored copy so the first client sees the same capped TTLs as the next ones.
      const copy = cache.store(key, answer.message, query.questionEnd);
      return copy === undefined ? answer : { ...answer, message: copy.message };
    };
    const staleOr = (error: unknown): Answer => {
      const stale = error instanceof UpstreamFailure ? cache.stale(key) : undefined;
      if (stale === undefined) throw error;
      return { message: stale.message, source: 'stale', rcode: stale.rcode };
    };
    let answer;
    try {
      answer = next(query);
    } catch (error) {
      return staleOr(error);
    }
    return isPending(answer) ? answer.then(stored, staleOr) : stored(answer);
  };
}
