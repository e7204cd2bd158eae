import { edeOption } from '../dns/ede.js';
import { ActionKind, isBlocking } from '../rpz/actions.js';
import type { Answer, ClientGroup } from '../model/query.js';
import type { ZoneSettings } from '../rpz/policy-set.js';

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
  const groupName = text === undefined && group?.grouped === true ? group.name : null;
  // A stop-page answer's text names its query: made for it alone, never kept.
  if (text === undefined && hit.kind === ActionKind.STOP_PAGE) return { code, option: edeOption(code, `${listText(hit.settings, groupName)}; see http://${qname}/`) };
  return listEde(hit.settings, groupName);
}

/** A list's own EDE text: the zone's `ede.text`, or "Blocked by <list>" and the client's group when there are groups. */
function listText(settings: ZoneSettings, groupName: string | null): string {
  return settings.ede.text ?? `Blocked by ${settings.logName}${groupName === null ? '' : ` for group ${groupName}`}`;
}

/**
 * The EDEs of a list's answers, made once per zone's settings and client group (configured: bounded), and found
 * again without a text or key made per answer; a reload's new settings start afresh and the old are let go.
 */
const listEdes = new WeakMap<ZoneSettings, Map<string | null, AnswerEde>>();
function listEde(settings: ZoneSettings, groupName: string | null): AnswerEde {
  let byGroup = listEdes.get(settings);
  if (byGroup === undefined) listEdes.set(settings, (byGroup = new Map()));
  let given = byGroup.get(groupName);
  if (given === undefined) byGroup.set(groupName, (given = { code: settings.ede.code, option: edeOption(settings.ede.code, listText(settings, groupName)) }));
  return given;
}

/** An EDE to send: its INFO-CODE and the option's bytes, which finishAnswer copies and nothing changes. */
export interface AnswerEde {
  readonly code: number;
  readonly option: Buffer;
}

/**
 * The EDEs of local answers made, by code and text: every refusal of a kind carries the same one, made once. A
 * query can vary them only by a class or type number in a refusal's text; at most EDES_KEPT are kept, and all are
 * let go when that many are.
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
