import { isIP } from 'node:net';

/** Formats of plain block lists (not zone files). */
export type PlainFormat = 'domains' | 'hosts' | 'adblock';

/**
 * A name as real lists spell them: letters, digits, "-" and "_" in labels of
 * 1 to 63 characters, lower case, no trailing dot (RFC 1035 section 2.3.4
 * lengths). Wider than a host name (RFC 1123 section 2.1): a label may start
 * or end with "-", as names below a domain can, and a listed name must be
 * blocked even when it is an odd one.
 */
const NAME = /^(?=.{1,253}$)[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/;

/** Addresses hosts files use to mean "nowhere". */
const SINK_ADDRESSES = new Set(['0.0.0.0', '127.0.0.1', '::', '::1', '0:0:0:0:0:0:0:0']);

/** The names a hosts file's header gives to this machine and the local network (StevenBlack's and /etc/hosts): not blocks, and not mistakes. */
const HOSTS_BOILERPLATE = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback', 'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0']);

/** Called with each name a line blocks. */
export type OnName = (name: string) => void;
/** Called with each part of a line that is not loaded: the kind (one warning per kind) and what was found and expected. */
export type OnProblem = (kind: string, detail: string) => void;

/**
 * Reads one line of a plain list: calls `onName` with each name it blocks
 * and `onProblem` with each part that is not loaded and why. Comments, blank
 * lines and hosts-file boilerplate (localhost, broadcasthost, ...) are
 * neither. domains: one name per line (each word of a line with several is
 * taken as a name); hosts: a sink address then names; adblock: `||name^`.
 */
export function listLine(line: string, format: PlainFormat, onName: OnName, onProblem: OnProblem): void {
  const text = withoutComment(line.trim(), format);
  if (text === '') return;
  if (format === 'domains') {
    for (const word of text.split(/\s+/)) checkName(word, onName, onProblem);
  } else if (format === 'hosts') {
    const [address, ...hosts] = text.split(/\s+/);
    if (hosts.length === 0) return onProblem('not a hosts line', `found "${text}"; expected an address and a name, e.g. "0.0.0.0 ads.example"`);
    if (!SINK_ADDRESSES.has(address!)) {
      if (hosts.every((host) => HOSTS_BOILERPLATE.has(host.toLowerCase()))) return;
      return onProblem('hosts line with a real address (not a block)', `found "${address} ${hosts.join(' ')}"; expected 0.0.0.0, 127.0.0.1, :: or ::1 before a name to block it`);
    }
    for (const host of hosts) checkName(host, onName, onProblem);
  } else {
    const match = /^\|\|([^/^$|*]+)\^(\$important)?$/.exec(text);
    if (match === null) return onProblem('adblock rule that is not a name block', `found "${text.slice(0, 200)}"; expected ||name^ (rules with paths, wildcards, options or exceptions are for browsers: DNS cannot apply them)`);
    checkName(match[1]!, onName, onProblem);
  }
}

/**
 * The name a line of a plain list blocks (the first, when it holds several),
 * or null when it blocks none.
 */
export function listEntry(line: string, format: PlainFormat): string | null {
  let first: string | null = null;
  listLine(line, format, (name) => (first ??= name), () => {});
  return first;
}

function withoutComment(text: string, format: PlainFormat): string {
  if (text.startsWith('#') || (format === 'adblock' && (text.startsWith('!') || text.startsWith('[')))) return '';
  // "name # why" in domains and hosts lists; adblock rules may hold "#" (element hiding), and are reported whole.
  return format === 'adblock' ? text : beforeComment(text);
}

const SPACE = /\s/;

/**
 * `text` up to its "# comment", as /\s+#.*$/ would cut it: up to the whitespace before the first "#" that follows
 * whitespace and has no line terminator after it ("\r" or U+2028 can sit inside a line; `.` stops at them). A scan,
 * not that regex: a regex engine retries it from every character of a run of whitespace, which is quadratic in a
 * hostile line (a feed's line of 100,000 spaces held the thread for seconds).
 */
function beforeComment(text: string): string {
  if (text.indexOf('#', 1) < 0) return text; // most lines
  const from = 1 + Math.max(0, text.lastIndexOf('\n'), text.lastIndexOf('\r'), text.lastIndexOf('\u2028'), text.lastIndexOf('\u2029'));
  for (let hash = text.indexOf('#', from); hash >= 0; hash = text.indexOf('#', hash + 1)) {
    if (!SPACE.test(text[hash - 1]!)) continue;
    let start = hash - 1;
    while (start > 0 && SPACE.test(text[start - 1]!)) start--;
    return text.slice(0, start);
  }
  return text;
}

function checkName(word: string, onName: OnName, onProblem: OnProblem): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(word)) {
    return onProblem('URL instead of a host name', `found "${word.slice(0, 200)}"; expected the host name alone (${urlHost(word)}): a list blocks names, not pages`);
  }
  const name = word.toLowerCase().replace(/\.$/, '');
  if (HOSTS_BOILERPLATE.has(name)) return;
  if (!NAME.test(name)) {
    return onProblem('not a host name', `found "${word.slice(0, 200)}"; expected letters, digits, "-" and "_" in dot-separated labels of 1 to 63 characters`);
  }
  if (isIP(name) !== 0) {
    return onProblem('not a host name', `found "${word}", an address; expected a host name (block addresses with rpz-ip rules in an RPZ zone)`);
  }
  if (!name.includes('.')) {
    return onProblem('single-label name (a whole top-level domain)', `found "${word}", which would block every name under .${name}; expected a name with a dot (to block a top-level domain on purpose, write "${name} CNAME ." and "*.${name} CNAME ." in an RPZ zone)`);
  }
  onName(name);
}

function urlHost(url: string): string {
  try {
    return `"${new URL(url).hostname}"`;
  } catch {
    return 'its host part';
  }
}
