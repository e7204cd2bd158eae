import type { PolicySource } from '../../rpz/policy-holder.js';
import { evaluate, type Decision } from '../../rpz/evaluate.js';
import type { StopPageRdata } from '../../rpz/rewrite.js';
import type { Answer, Stage } from '../../model/query.js';

/**
 * RPZ, before the cache and the upstreams: the engine (rpz/evaluate.ts)
 * decides, with the rest of the pipeline as its resolver, so a rewritten
 * answer is never cached (the cache stage sits after this one) and never
 * evaluated again. The policy is read once per query, so a reload never
 * splits one. A chain policy cannot check to its end throws: SERVFAIL.
 */
export function policyStage(source: PolicySource, stopPage: StopPageRdata): Stage {
  return async (query, next) => {
    const policy = source.current();
    // No zones and none missing: nothing to decide, and nothing to spend on it.
    if (policy.empty) return next(query);
    return toAnswer(await evaluate(policy, query, next, stopPage));
  };
}

/** The engine's decision as the pipeline's Answer, its provenance (the hit, the "would have" hits) attached. */
function toAnswer(decision: Decision<Answer>): Answer {
  const { hit, wouldHave } = decision;
  if (decision.kind === 'resolved' && hit === null && wouldHave.length === 0) return decision.answer;
  const provenance = { ...(hit !== null && { policy: hit }), ...(wouldHave.length > 0 && { wouldHave }) };
  switch (decision.kind) {
    case 'answer':
      return { message: decision.message, source: 'policy', rcode: decision.rcode, ...provenance };
    case 'drop':
      return { message: null, source: 'policy', rcode: 0, ...provenance };
    case 'resolved':
      return { ...decision.answer, ...provenance };
  }
}
