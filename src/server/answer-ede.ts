import { edeOption } from '../dns/ede.js';
import { ActionKind, isBlocking } from '../rpz/actions.js';
import type { Answer } from '../model/query.js';

/**
 * The EDE (RFC 8914) for a policy answer, derived from its provenance: the
 * zone's code (15 Blocked, 16 Censored, 17 Filtered) and a text naming the
 * list, plus where the stop page is for stop-page zones; a local answer's
 * own `ede` (a refusal's reason). Null otherwise.
 */
export function answerEde(answer: Answer, qname: string): { readonly code: number; readonly option: Buffer } | null {
  if (answer.ede !== undefined) return { code: answer.ede.code, option: edeOption(answer.ede.code, answer.ede.text) };
  const hit = answer.policy;
  if (hit === undefined || answer.source !== 'policy' || answer.message === null || !isBlocking(hit.kind)) return null;
  const { code, text } = hit.settings.ede;
  const page = hit.kind === ActionKind.STOP_PAGE ? `; see http://${qname}/` : '';
  return { code, option: edeOption(code, text ?? `Blocked by ${hit.settings.logName}${page}`) };
}
