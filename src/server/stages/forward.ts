import { readQuestion, relayForm } from '../../dns/wire.js';
import type { UpstreamPool } from '../../upstream/index.js';
import type { Stage } from '../query.js';

/**
 * Asks the upstream pool (the last stage: it never calls `next`). A TCP client
 * is forwarded over TCP. The answer is relayed in minimal form (see relayForm).
 */
export function forwardStage(pool: UpstreamPool): Stage {
  return async (query) => {
    const upstream = await pool.resolve({
      question: query.question,
      dnssecOk: query.edns?.dnssecOk === true,
      checkingDisabled: query.cd,
      tcp: query.transport === 'tcp',
    });
    const questionEnd = readQuestion(upstream.message)?.end;
    const message = questionEnd === undefined ? null : relayForm(upstream.message, questionEnd);
    if (message === null) throw new Error(`malformed answer from upstream ${upstream.upstream}`);
    return { message, source: 'upstream', rcode: upstream.rcode, upstream: upstream.upstream };
  };
}
