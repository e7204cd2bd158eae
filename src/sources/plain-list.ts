import type { ZoneRecord } from '../rpz/zone-reader.js';
import { readBoundedLines } from './bounded-lines.js';
import { listLine, type PlainFormat } from './list-line.js';

export { listEntry, type PlainFormat } from './list-line.js';

/** Where a plain list's rules and problems go: a PolicyZoneCompiler. */
export interface ListSink {
  add(record: ZoneRecord): void;
  /** A line or word that was not loaded: counted per kind, the first few kept with file:line (LoadWarnings). */
  warn(kind: string, file: string, line: number, detail: string): void;
}

/**
 * Reads a plain list and hands the policy compiler, for each name, the rules
 * `name CNAME .` and `*.name CNAME .` (the name and everything below it), as
 * if they were written in a policy zone called `origin`. Nothing is skipped
 * silently: a word that is not a host name, a single-label name, a URL, a
 * duplicate or a line of another format is reported to `sink.warn` with its
 * line, and the rest of the list loads. Returns how many names it gave and
 * how many problems it reported; rejects with file:line on a line longer than
 * `maxLineLength` characters.
 */
export async function readPlainList(file: string, format: PlainFormat, origin: string, sink: ListSink, maxLineLength: number): Promise<{ names: number; skipped: number }> {
  let names = 0;
  let skipped = 0;
  /** Each name's first line, to say where a duplicate was listed first. */
  const firstLine = new Map<string, number>();
  let number = 0;
  const onProblem = (kind: string, detail: string): void => {
    skipped++;
    sink.warn(kind, file, number, detail);
  };
  const onName = (name: string): void => {
    const first = firstLine.get(name);
    if (first !== undefined) return onProblem('duplicate name', `"${name}" is already listed at line ${first}`);
    firstLine.set(name, number);
    names++;
    const base = { ttl: 300, type: 'CNAME', rdata: ['.'], origin, file, line: number };
    sink.add({ ...base, owner: `${name}.${origin}` });
    sink.add({ ...base, owner: `*.${name}.${origin}` });
  };
  await readBoundedLines(file, maxLineLength, (text, line) => {
    number = line;
    listLine(text, format, onName, onProblem);
  });
  return { names, skipped };
}
