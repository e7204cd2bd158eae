/**
 * The RPZ policy engine, usable with no server:
 * `import { evaluate, loadPolicyZone, PolicySet, readPolicyQuery } from 'stopzone/rpz'`.
 * `evaluate(policy, query, resolve)` is the one entry point: it covers every
 * trigger and action, with the host's resolver as `resolve`.
 */
export { ActionKind, ACTION_NAMES } from './actions.js';
export { MAX_CNAME_LINKS } from './answer-chain.js';
export { evaluate, type Decision, type PolicyAnswer, type Provenance, type Resolve, type Resolved } from './evaluate.js';
export { addressToBytes } from './ip-prefix.js';
export { canonicalZoneName, loadPolicyZone, loadPolicyZoneText } from './load-zone.js';
export { stopPageRdata } from './policy-holder.js';
export { readPolicyQuery, type PolicyQuery } from './policy-query.js';
export { PolicySet, type ChainStep, type Evaluation, type PolicyHit, type ZoneSettings } from './policy-set.js';
export { PolicyZone, type Rule, type ZoneStats } from './policy-zone.js';
export type { StopPageRdata } from './rewrite.js';
export { TriggerType, TRIGGER_NAMES } from './triggers.js';
export { ZoneSyntaxError, readZone, readZoneText, type ZoneRecord } from './zone-reader.js';
