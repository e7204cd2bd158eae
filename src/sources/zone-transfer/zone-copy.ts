import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { ZoneRecord } from '../../rpz/zone-reader.js';
import { bare } from '../../rpz/zone-syntax-error.js';
import { masterFileName } from './name-text.js';

/**
 * The last-good copy of a transferred zone: a master file with one record per
 * line, absolute owners, written by `recordLine` from the transferred records,
 * so that the zone reader loads it like any zone and an IXFR delta can find
 * the lines it removes by their text. Every name is escaped so that the copy
 * reads back as exactly the names transferred, and never as a directive or a
 * comment (masterFileName); the copy is read with $INCLUDE refused besides.
 * Always written to a temporary file and renamed, so the copy on disk is whole.
 */

/** One record as a master-file line: `owner. TTL IN TYPE rdata`. */
export function recordLine(record: ZoneRecord): string {
  return `${ownerText(record)} ${record.ttl} IN ${record.type} ${rdataText(record)}`;
}

/** A record's identity for IXFR (RFC 1995: owner, class, type and RDATA; the TTL is not part of it). */
function recordKey(record: ZoneRecord): string {
  return `${ownerText(record)} IN ${record.type} ${rdataText(record)}`;
}

/** The owner as the copy writes it: escaped, absolute (the first token of its line: it holds no space). */
function ownerText(record: ZoneRecord): string {
  return `${masterFileName(record.owner)}.`;
}

/** The same identity read back from a copy line. */
function lineKey(line: string): string {
  const owner = line.indexOf(' ');
  const ttl = line.indexOf(' ', owner + 1);
  return `${line.slice(0, owner)}${line.slice(ttl)}`;
}

/** TXT strings are quoted again (the reader removed the quotes, escapes stayed); other tokens hold no spaces. */
function rdataText(record: ZoneRecord): string {
  return record.type === 'TXT' ? record.rdata.map((text) => `"${text}"`).join(' ') : record.rdata.join(' ');
}

/** Writes a whole zone (an AXFR) as the copy: `lines` as `recordLine` writes them, an element may hold several joined by "\n". */
export async function writeZoneCopy(path: string, lines: readonly string[]): Promise<void> {
  await writeLines(path, async (write) => {
    for (const line of lines) await write(line);
  });
}

/** A zone's changes between two serials, as RFC 1995 sends them. */
export interface Delta {
  readonly removed: readonly ZoneRecord[];
  readonly added: readonly ZoneRecord[];
}

/**
 * The lines of the copy at the owners a delta touched, old and new, each
 * list led by its SOA: what zone-delta.ts needs to change the zone in force
 * without reading the whole copy again.
 */
export interface TouchedLines {
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/**
 * Applies IXFR deltas, in order, to the copy at `path` and writes the result
 * to `to` (by default in its place): the new SOA first, the lines kept, then
 * the lines added. Throws, leaving `to` as it was, when a delta removes a
 * record the copy does not hold (the copy and the primary disagree: fall back
 * to AXFR). Returns the lines at the touched owners before and after.
 */
export async function applyDeltas(path: string, deltas: readonly Delta[], to = path): Promise<TouchedLines> {
  const removed = new Set<string>();
  const mustExist = new Set<string>();
  const added = new Map<string, string>();
  const touched = new Set<string>();
  let soa: ZoneRecord | undefined;
  for (const delta of deltas) {
    for (const record of delta.removed) {
      if (record.type === 'SOA') continue;
      const key = recordKey(record);
      touched.add(ownerText(record));
      // A record added by an earlier delta is simply not added; one from the copy must be there to remove.
      if (!added.delete(key)) mustExist.add(key);
      removed.add(key);
    }
    for (const record of delta.added) {
      if (record.type === 'SOA') soa = record;
      else {
        touched.add(ownerText(record));
        added.set(recordKey(record), recordLine(record));
      }
    }
  }
  if (soa === undefined) throw new Error('the IXFR carries no new SOA');
  const newSoa = recordLine(soa);
  const before: string[] = [];
  const after = [newSoa];
  await writeLines(to, async (write) => {
    await write(newSoa);
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '' || line.startsWith(';')) continue;
      const key = lineKey(line);
      if (key.startsWith(' IN SOA ', key.indexOf(' '))) {
        before.unshift(line); // the old SOA; the new one is written first
        continue;
      }
      const isTouched = touched.has(line.slice(0, line.indexOf(' ')));
      if (isTouched) before.push(line);
      if (removed.has(key)) {
        mustExist.delete(key);
        continue;
      }
      if (isTouched) after.push(line);
      await write(line);
    }
    if (mustExist.size > 0) {
      const [first] = mustExist;
      throw new Error(`an IXFR delta removes ${mustExist.size} record(s) the last-good copy does not hold (first: ${bare(first!)})`);
    }
    for (const line of added.values()) {
      after.push(line);
      await write(line);
    }
  });
  return { before, after };
}

/** Writes lines to `path`.tmp in large chunks, then renames it over `path`; on failure the tmp file is removed and `path` is untouched. */
async function writeLines(path: string, produce: (write: (line: string) => Promise<void>) => Promise<void>): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w');
  let buffer: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    await file.write(`${buffer.join('\n')}\n`);
    buffer = [];
    size = 0;
  };
  try {
    await produce(async (line) => {
      buffer.push(line);
      size += line.length;
      if (size > 1 << 20) await flush();
    });
    await flush();
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
}
