import { createHash } from 'node:crypto';

/** allow: `name CNAME rpz-passthru.` (answer normally, look no further); block: `name CNAME .` (NXDOMAIN, or the stop page under policy: stop-page). */
export type RuleAction = 'allow' | 'block';

/** A rule the console wrote into a zone file, as read back from it. */
export interface ConsoleRule {
  /** Stable for the rule's life: from the zone, the name and the time it was added. */
  readonly id: string;
  readonly zone: string;
  readonly name: string;
  readonly action: RuleAction;
  readonly who: string;
  /** When it was added (ms since the epoch; the comment has it in ISO 8601). */
  readonly time: number;
  readonly reason: string;
}

const TARGET: Record<RuleAction, string> = { allow: 'rpz-passthru.', block: '.' };
const COMMENT = /^; added by (\S+) at (\S+?)(?:: (.*))?$/;
const RULE = /^(\S+)\s+CNAME\s+(rpz-passthru\.|\.)\s*$/i;

/** The rule's id: 12 hex digits of a hash of where, what and when. */
function ruleId(zone: string, name: string, time: string): string {
  return createHash('sha256').update(`${zone}\0${name}\0${time}`).digest('hex').slice(0, 12);
}

/**
 * The owner as written in the file: relative to the zone, as the shipped files ask, unless the file sets
 * $ORIGIN somewhere (a line appended at its end might then fall under another origin): then absolute.
 */
function owner(text: string, zone: string, name: string): string {
  return /^\$ORIGIN\b/im.test(text) ? `${name}.${zone.replace(/\.$/, '')}.` : name;
}

/** The name an owner written by `owner` stands for. */
function nameOf(written: string, zone: string): string {
  const suffix = `.${zone.replace(/\.$/, '')}.`;
  return written.toLowerCase().endsWith(suffix.toLowerCase()) ? written.slice(0, -suffix.length) : written;
}

/** Every rule the console added to `text` (a comment line "; added by ..." followed by its rule), in file order. */
export function consoleRules(text: string, zone: string): ConsoleRule[] {
  const lines = text.split('\n');
  const rules: ConsoleRule[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const comment = COMMENT.exec(lines[i]!.trimEnd());
    const rule = comment === null ? null : RULE.exec(lines[i + 1]!.trimEnd());
    if (comment === null || rule === null) continue;
    const name = nameOf(rule[1]!, zone);
    const [, who, time, reason = ''] = comment as unknown as [string, string, string, string | undefined];
    rules.push({ id: ruleId(zone, name, time), zone, name, action: rule[2] === '.' ? 'block' : 'allow', who, time: Date.parse(time), reason });
  }
  return rules;
}

/** `text` with a rule added at its end, after its comment line, and the SOA serial raised. Returns the rule too. */
export function withRule(text: string, zone: string, rule: { name: string; action: RuleAction; who: string; time: number; reason: string }): { text: string; rule: ConsoleRule } {
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  const iso = new Date(rule.time).toISOString();
  const added = `; added by ${rule.who} at ${iso}${rule.reason === '' ? '' : `: ${rule.reason}`}\n${owner(text, zone, rule.name)} CNAME ${TARGET[rule.action]}\n`;
  return { text: bumpSerial(body + added), rule: { ...rule, zone, id: ruleId(zone, rule.name, iso) } };
}

/** `text` without the console rule `id` (its comment and rule lines) and with the SOA serial raised; null when no such rule is there. */
export function withoutRule(text: string, zone: string, id: string): string | null {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const comment = COMMENT.exec(lines[i]!.trimEnd());
    const rule = comment === null ? null : RULE.exec(lines[i + 1]!.trimEnd());
    if (comment === null || rule === null || ruleId(zone, nameOf(rule[1]!, zone), comment[2]!) !== id) continue;
    lines.splice(i, 2);
    return bumpSerial(lines.join('\n'));
  }
  return null;
}

/**
 * `text` with its SOA serial one higher (RFC 1982 serial arithmetic: 4294967295 wraps to 0... and 0 is
 * skipped, as BIND's "increment"), so a secondary that loads the same file sees a new version. The SOA may
 * spread over lines in parentheses, with comments. A file without a SOA record is returned as it was.
 */
export function bumpSerial(text: string): string {
  const soa = /^(?!;)(\S*[ \t]+(?:[^;\n]*?[ \t])?SOA[ \t]+\S+[ \t]+\S+[ \t]+(?:\([ \t]*(?:;[^\n]*)?\n?[ \t]*)?)(\d+)/im;
  return text.replace(soa, (_all, before: string, serial: string) => {
    const next = (Number(serial) + 1) % 2 ** 32;
    return `${before}${next === 0 ? 1 : next}`;
  });
}
