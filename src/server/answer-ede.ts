import { edeOption } from '../dns/ede.js';
import { ActionKind } from '../rpz/actions.js';
import { STOP_PAGE } from '../rpz/policy-set.js';
import type { Answer } from '../model/query.js';

/** Actions whose answer says "blocked": they carry an Extended DNS Error. PASSTHRU, DROP and TCP-only do not. */
const BLOCKING = new Set<number>([ActionKind.NXDOMAIN, ActionKind.NODATA, ActionKind.GARDEN, ActionKind.LOCAL_DATA, STOP_PAGE]);

/**
 * The EDE (RFC 8914) for a policy answer, derived from its provenance: the
 * zone's code (15 Blocked, 16 Censored, 17 Filtered) and a text naming the
 * list, plus where the stop page is for stop-page zones; a local answer's
 * own `ede` (a refusal's reason). Null otherwise.
 */
export function answerEde(answer: Answer, qname: string): { readonly code: number; readonly option: Buffer } | null {
  if (answer.ede !== undefined) return { code: answer.ede.code, option: edeOption(answer.ede.code, answer.ede.text) };
  const hit = answer.policy;
  if (hit === undefined || answer.source !== 'policy' || answer.message === null || !BLOCKING.has(hit.kind)) return null;
  const { code, text } = hit.settings.ede;
  const page = hit.kind === STOP_PAGE ? `; see http://${qname}/` : '';
  return { code, option: edeOption(code, text ?? `Blocked by ${hit.settings.logName}${page}`) };
}
