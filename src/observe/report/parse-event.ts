import type { BlockEvent } from '../block-event.js';
import { canonicalTime } from './parse-time.js';

/**
 * The fields of a block-log line that the report reads; `time` as `2026-11-23T10:15:02.123Z` (see canonicalTime).
 * A line without `group` (written before client groups existed, when every client was in it) counts as "default".
 */
export type ReportEvent = Pick<BlockEvent, 'msg' | 'client' | 'qname' | 'zone' | 'list' | 'trigger' | 'action' | 'group'> & { readonly time: string };

const MSG = '"msg":"';
const KINDS: readonly string[] = ['blocked', 'would block', 'passthru'];

/**
 * Reads one log line as a block event, or returns undefined for anything
 * else (other log lines, garbage, truncated JSON, an event lacking a field).
 * Never throws. Two shortcuts keep it at a fraction of JSON.parse's cost:
 * lines without `"msg":"blocked"`, `"would block"` or `"passthru"` are
 * rejected by a substring test; and a line as pino writes events (one flat
 * object, no backslash, so every `"` delimits a key or a string) has its
 * fields cut out with indexOf. Anything else goes through JSON.parse.
 *
 * The strings returned may be slices of `line`: copy what you keep.
 */
export function parseEventLine(line: string): ReportEvent | undefined {
  const at = line.indexOf(MSG);
  if (at < 0 || !isKind(line, at + MSG.length)) return undefined;
  return isFlat(line) ? cut(line) : parsed(line);
}

function isKind(line: string, from: number): boolean {
  return line.startsWith('blocked"', from) || line.startsWith('would block"', from) || line.startsWith('passthru"', from);
}

/** One object, complete, without escapes or nested objects: `{` first, `}` last (before a `\r`), no other `{`, no `\`. */
function isFlat(line: string): boolean {
  let end = line.length - 1;
  if (line.charCodeAt(end) === 13) end--;
  return line.charCodeAt(0) === 123 && line.charCodeAt(end) === 125 && line.indexOf('{', 1) < 0 && line.indexOf('\\') < 0;
}

/** Cuts the wanted fields out of a flat line (see isFlat). */
function cut(line: string): ReportEvent | undefined {
  // Searched in pino's order, each from where the previous one was found (and from the start if not there).
  const msg = field(line, '"msg":"', 0);
  const time = field(line, '"time":"', 0);
  // A time that is not a string (epoch ms, pino's default clock) is left to JSON.parse.
  if (time === undefined) return parsed(line);
  const client = field(line, '"client":"', hint);
  const qname = field(line, '"qname":"', hint);
  const zone = field(line, '"zone":"', hint);
  const list = field(line, '"list":"', hint);
  const trigger = field(line, '"trigger":"', hint);
  const action = field(line, '"action":"', hint);
  const group = field(line, '"group":"', hint);
  if (msg === undefined || client === undefined || qname === undefined || zone === undefined) return undefined;
  return event(msg, time, client, qname, zone, list, trigger, action, group);
}

/** Where the last field() call found its value's end. */
let hint = 0;

/** The string value of `"key":"...` (`open`) in a flat line: searched from `from`, then from the start. */
function field(line: string, open: string, from: number): string | undefined {
  let at = line.indexOf(open, from);
  if (at < 0 && from > 0) at = line.indexOf(open);
  if (at < 0) return undefined;
  const start = at + open.length;
  const end = line.indexOf('"', start);
  if (end < 0) return undefined;
  hint = end;
  return line.slice(start, end);
}

function parsed(line: string): ReportEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { msg, time, client, qname, zone, list, trigger, action, group } = value as Record<string, unknown>;
  if (typeof msg !== 'string' || typeof client !== 'string' || typeof qname !== 'string' || typeof zone !== 'string') return undefined;
  if (typeof time !== 'string' && typeof time !== 'number') return undefined;
  return event(msg, time, client, qname, zone, text(list), text(trigger), text(action), text(group));
}

function event(msg: string, time: string | number, client: string, qname: string, zone: string, list?: string, trigger?: string, action?: string, group?: string): ReportEvent | undefined {
  const iso = canonicalTime(time);
  if (iso === undefined || !KINDS.includes(msg)) return undefined;
  return { msg: msg as BlockEvent['msg'], time: iso, client, qname, zone, list: list ?? '', trigger: trigger ?? '', action: action ?? '', group: group ?? 'default' };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
