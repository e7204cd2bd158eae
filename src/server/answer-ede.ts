import { edeOption } from '../dns/ede.js';
import { ActionKind, isBlocking } from '../rpz/actions.js';
import type { Answer, ClientGroup } from '../model/query.js';

/**
 * The EDE (RFC 8914) for a policy answer, derived from its provenance: the
 * zone's code (15 Blocked, 16 Censored, 17 Filtered) and a text naming the
 * list, the client's group when the config has groups ("Blocked by School
 * list for group students"), and where the stop page is for stop-page zones;
 * a zone's own `ede.text` as the admin wrote it, with nothing added; a local
 * answer's own `ede` (a refusal's reason). Null otherwise.
 */
export function answerEde(answer: Answer, qname: string, group?: ClientGroup): { readonly code: number; readonly option: Buffer } | null {
  if (answer.ede !== undefined) return { code: answer.ede.code, option: edeOption(answer.ede.code, answer.ede.text) };
  const hit = answer.policy;
  if (hit === undefined || answer.source !== 'policy' || answer.message === null || !isBlocking(hit.kind)) return null;
  const { code, text } = hit.settings.ede;
  if (text !== undefined) return { code, option: edeOption(code, text) };
  const forGroup = group?.grouped === true ? ` for group ${group.name}` : '';
  const page = hit.kind === ActionKind.STOP_PAGE ? `; see http://${qname}/` : '';
  return { code, option: edeOption(code, `Blocked by ${hit.settings.logName}${forGroup}${page}`) };
}
