/**
 * The RPZ policy engine, usable with no server:
 * `import { loadPolicyZone, PolicySet } from 'stopzone/rpz'`.
 */
export { ActionKind, ACTION_NAMES } from './actions.js';
export { addressToBytes } from './ip-prefix.js';
export { canonicalZoneName, loadPolicyZone, loadPolicyZoneText } from './load-zone.js';
export { PolicySet, STOP_PAGE, type ChainStep, type Evaluation, type PolicyHit, type ZoneSettings } from './policy-set.js';
export { PolicyZone, type Rule, type ZoneStats } from './policy-zone.js';
export { rewrite, type Rewrite, type RewriteQuery, type StopPageRdata } from './rewrite.js';
export { TriggerType, TRIGGER_NAMES } from './triggers.js';
export { ZoneSyntaxError, readZone, readZoneText, type ZoneRecord } from './zone-reader.js';
