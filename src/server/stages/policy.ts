import type { PolicySource } from '../../rpz/policy-holder.js';
import { decide } from '../../rpz/evaluate.js';
import type { StopPageRdata } from '../../rpz/rewrite.js';
import type { Stage } from '../../model/query.js';

/**
 * RPZ, before the cache and the upstreams: the engine (rpz/evaluate.ts, `decide`)
 * decides, with the rest of the pipeline as its resolver, so a rewritten
 * answer is never cached (the cache stage sits after this one) and never
 * evaluated again. Its decision is an Answer as it stands: a policy answer
 * or the pipeline's own, with the hit and "would have" hits attached. The
 * policy is read once per query, so a reload never splits one. A chain policy
 * cannot check to its end throws: SERVFAIL. Only the zones in force for the
 * query's group at `now()` are looked at (PolicySet.zonesFor), and no answer
 * outlives a schedule boundary that would change it (evaluate's `at`).
 */
export function policyStage(source: PolicySource, stopPage: StopPageRdata, now: () => number = Date.now): Stage {
  return (query, next) => {
    const policy = source.current();
    // No zones and none missing: nothing to decide, and nothing to spend on it.
    if (policy.empty) return next(query);
    // Groups and schedules unused: nothing to look up, and no object per query.
    if (!policy.scoped) return decide(policy, query, next, stopPage);
    const at = { group: query.group?.index ?? 0, nowMs: now() };
    return decide(policy, query, next, stopPage, policy.zonesFor(at.group, at.nowMs), at);
  };
}
