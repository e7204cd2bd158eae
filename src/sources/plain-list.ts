import type { ZoneRecord } from '../rpz/zone-reader.js';
import { readBoundedLines } from './bounded-lines.js';

/** Formats of plain block lists (not zone files). */
export type PlainFormat = 'domains' | 'hosts' | 'adblock';

/** A name as real lists spell them (underscores included). */
const NAME = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Addresses hosts files use to mean "nowhere". */
const SINK_ADDRESSES = new Set(['0.0.0.0', '127.0.0.1', '::', '::1', '0:0:0:0:0:0:0:0']);

/**
 * The name a line of a plain list blocks, or null for comments, blank lines
 * and entries that are not a plain name block (adblock rules with paths,
 * options or exceptions; hosts lines pointing at a real address).
 */
export function listEntry(line: string, format: PlainFormat): string | null {
  const text = line.trim();
  if (text === '' || text.startsWith('#') || text.startsWith('!') || text.startsWith('[')) return null;
  let name: string | undefined;
  if (format === 'domains') name = text.split(/\s+/)[0];
  else if (format === 'hosts') {
    const [address, host] = text.split(/\s+/);
    if (address === undefined || !SINK_ADDRESSES.has(address)) return null;
    name = host;
  } else {
    const match = /^\|\|([^/^$|*]+)\^(\$.*)?$/.exec(text);
    if (match === null || (match[2] !== undefined && match[2] !== '$important')) return null;
    name = match[1];
  }
  const lower = name?.toLowerCase().replace(/\.$/, '');
  if (lower === undefined || lower === 'localhost' || lower === 'localhost.localdomain' || !NAME.test(lower)) return null;
  return lower;
}

/**
 * Reads a plain list and hands the policy compiler, for each name, the rules
 * `name CNAME .` and `*.name CNAME .` (the name and everything below it), as
 * if they were written in a policy zone called `origin`. Returns how many
 * names it gave and how many lines were neither a name nor a comment; rejects
 * with file:line on a line longer than `maxLineLength` characters.
 */
export async function readPlainList(file: string, format: PlainFormat, origin: string, onRecord: (record: ZoneRecord) => void, maxLineLength: number): Promise<{ names: number; skipped: number }> {
  let names = 0;
  let skipped = 0;
  const seen = new Set<string>();
  await readBoundedLines(file, maxLineLength, (text, line) => {
    const name = listEntry(text, format);
    if (name === null) {
      if (!/^\s*([#![]|$)/.test(text)) skipped++;
      return;
    }
    if (seen.has(name)) return;
    seen.add(name);
    names++;
    const base = { ttl: 300, type: 'CNAME', rdata: ['.'], origin, file, line };
    onRecord({ ...base, owner: `${name}.${origin}` });
    onRecord({ ...base, owner: `*.${name}.${origin}` });
  });
  return { names, skipped };
}
