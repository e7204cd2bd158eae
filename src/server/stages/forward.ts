import { EdeCode } from '../../dns/ede.js';
import { emptyReply } from '../../dns/replies.js';
import { Rcode } from '../../dns/types.js';
import { relayForm } from '../../dns/relay-form.js';
import { UpstreamFailure, type UpstreamPool } from '../../upstream/index.js';
import type { Answer, Stage } from '../../model/query.js';

const NOT_IN_CACHE = { code: EdeCode.NOT_AUTHORITATIVE, text: 'RD=0: answered from the cache only, and the answer is not in it' } as const;

/** Told of each upstream exchange: seconds it took, or null for a failed attempt. */
export type UpstreamObserver = (upstream: string, seconds: number | null) => void;

/**
 * Asks the upstream pool (the last stage: it never calls `next`). A TCP client
 * is forwarded over TCP. The answer is relayed in minimal form (see relayForm).
 * A query with RD=0 asks for no recursion: it was answered from the cache if
 * it could be, and is never forwarded; here it gets REFUSED with EDE 20 (RFC
 * 8914 section 4.21), as a server that is not authoritative for the name.
 */
export function forwardStage(pool: UpstreamPool, timed?: UpstreamObserver): Stage {
  // No async function: a miss's answer takes one reaction to the pool's promise, not an await's hops.
  return (query) => {
    if (!query.rd) return { message: emptyReply(query.raw, Rcode.REFUSED, query.questionEnd), source: 'local', rcode: Rcode.REFUSED, ede: NOT_IN_CACHE };
    const started = performance.now();
    const request = { question: query.question, dnssecOk: query.edns?.dnssecOk === true, checkingDisabled: query.cd, tcp: query.transport === 'tcp' };
    return pool.resolve(request).then(
      (upstream): Answer => {
        timed?.(upstream.upstream, (performance.now() - started) / 1000);
        const message = relayForm(upstream.message, upstream.questionEnd, query.question.lname);
        if (message === null) throw new Error(`malformed answer from upstream ${upstream.upstream}`);
        return { message, source: 'upstream', rcode: upstream.rcode, upstream: upstream.upstream };
      },
      (error: unknown) => {
        if (error instanceof UpstreamFailure) for (const attempt of error.attempts) timed?.(attempt.upstream, null);
        throw error;
      },
    );
  };
}
