import { readQuestion, relayForm } from '../../dns/wire.js';
import { UpstreamFailure, type UpstreamPool } from '../../upstream/index.js';

/** Told of each upstream exchange: seconds it took, or null for a failed attempt. */
export type UpstreamObserver = (upstream: string, seconds: number | null) => void;
import type { Stage } from '../query.js';

/**
 * Asks the upstream pool (the last stage: it never calls `next`). A TCP client
 * is forwarded over TCP. The answer is relayed in minimal form (see relayForm).
 */
export function forwardStage(pool: UpstreamPool, timed?: UpstreamObserver): Stage {
  return async (query) => {
    const started = performance.now();
    let upstream;
    try {
      upstream = await pool.resolve({
        question: query.question,
        dnssecOk: query.edns?.dnssecOk === true,
        checkingDisabled: query.cd,
        tcp: query.transport === 'tcp',
      });
    } catch (error) {
      if (error instanceof UpstreamFailure) for (const attempt of error.attempts) timed?.(attempt.upstream, null);
      throw error;
    }
    timed?.(upstream.upstream, (performance.now() - started) / 1000);
    const questionEnd = readQuestion(upstream.message)?.end;
    const message = questionEnd === undefined ? null : relayForm(upstream.message, questionEnd);
    if (message === null) throw new Error(`malformed answer from upstream ${upstream.upstream}`);
    return { message, source: 'upstream', rcode: upstream.rcode, upstream: upstream.upstream };
  };
}
