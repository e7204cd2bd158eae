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
export function answerEde(answer: Answer, qname: string, group?: ClientGroup): AnswerEde | null {
  if (answer.ede !== undefined) return ede(answer.ede.code, answer.ede.text);
  const hit = answer.policy;
  if (hit === undefined || answer.source !== 'policy' || answer.message === null || !isBlocking(hit.kind)) return null;
  const { code, text } = hit.settings.ede;
  if (text !== undefined) return ede(code, text);
  const forGroup = group?.grouped === true ? ` for group ${group.name}` : '';
  // A stop-page answer's text names its query: made for it alone, never kept.
  if (hit.kind === ActionKind.STOP_PAGE) return { code, option: edeOption(code, `Blocked by ${hit.settings.logName}${forGroup}; see http://${qname}/`) };
  return ede(code, `Blocked by ${hit.settings.logName}${forGroup}`);
}

/** An EDE to send: its INFO-CODE and the option's bytes, which finishAnswer copies and nothing changes. */
export interface AnswerEde {
  readonly code: number;
  readonly option: Buffer;
}

/**
 * The EDEs made, by code and text: every answer of a list (for a group) and every refusal of a kind carries the
 * same one, made once. A query can vary them only by a class or type number in a refusal's text; at most
 * EDES_KEPT are kept, and all are let go when that many are.
 */
const EDES_KEPT = 256;
const made = new Map<string, AnswerEde>();
function ede(code: number, text: string): AnswerEde {
  const key = `${code} ${text}`;
  let given = made.get(key);
  if (given === undefined) {
    if (made.size >= EDES_KEPT) made.clear();
    made.set(key, (given = { code, option: edeOption(code, text) }));
  }
  return given;
}
