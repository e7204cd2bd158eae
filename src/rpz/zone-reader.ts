import { open, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ZoneEntries, type IncludeRequest, type ReadState } from './zone-entries.js';
import { absoluteName, ROOT, zoneName, type ZoneName } from './zone-names.js';
import { count, quoted, ZoneSyntaxError } from './zone-syntax-error.js';
import { MAX_LINE_LENGTH, ZoneTokenizer } from './zone-tokenizer.js';

export { ZoneSyntaxError } from './zone-syntax-error.js';

/** One resource record as a master file writes it; RPZ meaning is decoded later. */
export interface ZoneRecord {
  /** Absolute, lower-case, no trailing dot, "" for the root; escaped as src/dns/wire.ts presents query names. */
  owner: string;
  ttl: number;
  /** Upper-case mnemonic ("CNAME"), or "TYPE65" for RFC 3597 types written that way. */
  type: string;
  /** Rdata tokens as written: quotes removed, escapes verbatim, names not yet made absolute. */
  rdata: string[];
  /** The $ORIGIN in force, for making relative rdata names absolute. */
  origin: string;
  /** The file the record came from ($INCLUDE'd files name themselves). */
  file: string;
  /** 1-based line where the record starts. */
  line: number;
  /** Set when the owner is neither the zone nor below it: the consumer skips the record. */
  outOfZone?: true;
}

/** How to read a zone. */
export interface ReadZoneOptions {
  /** The zone name the config gives ("rpz.example" or "rpz.example."). */
  origin: string;
  /** TTL of records before any $TTL or explicit TTL; default 3600 (a SOA MINIMUM is no default, RFC 2308). */
  defaultTtl?: number;
  /** Deepest $INCLUDE nesting; default 8. */
  maxIncludeDepth?: number;
  /** Bytes read at a time; default 1 MiB. Lines and parentheses may straddle chunks. */
  chunkSize?: number;
  /** Characters a line, or an entry that parentheses join, may hold; default 1 MiB (MAX_LINE_LENGTH). */
  maxLineLength?: number;
  /**
   * Bytes read in all, the zone file and every $INCLUDE'd file each time it is
   * included; default 1 GiB. Nested includes cannot multiply the work past it.
   */
  maxBytes?: number;
  /**
   * Whether $INCLUDE may read local files: "allowed" (the default of readZone,
   * for an operator's own zone files; regular files only) or "refused" (the
   * default of readZoneText, and what a downloaded or transferred zone and its
   * last-good copy are read with: text from elsewhere never reads this
   * machine's files).
   */
  includes?: 'allowed' | 'refused';
}

/** What a read covered. */
export interface ReadZoneStats {
  records: number;
  lines: number;
  /** Every file read, the zone file first, then $INCLUDE'd files in reading order. */
  files: string[];
}

interface Run {
  readonly state: ReadState;
  readonly maxDepth: number;
  readonly chunkSize: number;
  readonly maxLineLength: number;
  readonly maxBytes: number;
  /** Bytes read so far, in all files. */
  bytes: number;
  readonly files: string[];
  /** The files being read, outermost first: real paths (for loops) and names (for messages). */
  readonly keys: string[];
  readonly names: string[];
  lines: number;
}

/** A file or text to read: its name in records and messages, the key that detects loops, where its includes live. */
interface Source {
  readonly file: string;
  readonly key: string;
  readonly dir: string;
  readonly chunks: AsyncIterable<string> | Iterable<string>;
}

/**
 * Reads an RFC 1035 master file in chunks and hands each record to `onRecord`
 * as soon as its entry is complete. Throws ZoneSyntaxError (file:line, found,
 * expected) on the first syntax error, an over-long line, or a refused or
 * over-budget $INCLUDE; a missing zone file rejects with the file system's error.
 */
export async function readZone(path: string, options: ReadZoneOptions, onRecord: (record: ZoneRecord) => void): Promise<ReadZoneStats> {
  const run = startRun({ includes: 'allowed', ...options }, onRecord);
  const key = await realpath(path);
  await readSource(run, { file: path, key, dir: dirname(path), chunks: fileChunks(path, run) }, zoneName(run.state.zone), 0);
  return { records: run.state.records, lines: run.lines, files: run.files };
}

/**
 * readZone for a zone held as text; `name` stands for its file name. $INCLUDE
 * is refused unless `options.includes` is "allowed" (paths are then relative
 * to process.cwd()).
 */
export async function readZoneText(text: string, name: string, options: ReadZoneOptions, onRecord: (record: ZoneRecord) => void): Promise<ReadZoneStats> {
  const run = startRun({ includes: 'refused', ...options }, onRecord);
  run.bytes += Buffer.byteLength(text);
  await readSource(run, { file: name, key: `text:${name}`, dir: '', chunks: textChunks(stripBom(text), run.chunkSize) }, zoneName(run.state.zone), 0);
  return { records: run.state.records, lines: run.lines, files: run.files };
}

function startRun(options: ReadZoneOptions & { includes: 'allowed' | 'refused' }, onRecord: (record: ZoneRecord) => void): Run {
  const bad = (key: string, found: unknown, expected: string): never => {
    throw new TypeError(`readZone options.${key}: found ${JSON.stringify(found)}, expected ${expected}`);
  };
  if (typeof options.origin !== 'string') bad('origin', options.origin, 'a domain name');
  const zone = absoluteName(options.origin, ROOT, (_found, expected) => bad('origin', options.origin, expected));
  const integer = (key: keyof ReadZoneOptions, fallback: number, min: number, max: number): number => {
    const value = options[key] ?? fallback;
    return Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? (value as number) : bad(key, value, `an integer from ${min} to ${max}`);
  };
  const state: ReadState = {
    zone,
    zoneSuffix: `.${zone}`,
    dollarTtl: -1,
    lastTtl: -1,
    defaultTtl: integer('defaultTtl', 3600, 0, 4294967295),
    onRecord,
    records: 0,
    includes: options.includes === 'allowed' ? 'allowed' : options.includes === 'refused' ? 'refused' : bad('includes', options.includes, '"allowed" or "refused"'),
  };
  return {
    state,
    maxDepth: integer('maxIncludeDepth', 8, 0, 64),
    chunkSize: integer('chunkSize', 1 << 20, 1, 1 << 30),
    maxLineLength: integer('maxLineLength', MAX_LINE_LENGTH, 1, 1 << 30),
    maxBytes: integer('maxBytes', 1 << 30, 0, Number.MAX_SAFE_INTEGER),
    bytes: 0,
    files: [],
    keys: [],
    names: [],
    lines: 0,
  };
}

async function readSource(run: Run, source: Source, origin: ZoneName, depth: number): Promise<void> {
  run.files.push(source.file);
  run.keys.push(source.key);
  run.names.push(source.file);
  const tokenizer = new ZoneTokenizer(source.file, run.maxLineLength);
  const entries = new ZoneEntries(tokenizer, run.state, origin);
  const drain = async (): Promise<void> => {
    while (tokenizer.next()) {
      const include = entries.handle();
      if (include !== undefined) await readInclude(run, source, include, depth + 1);
    }
  };
  for await (const chunk of source.chunks) {
    tokenizer.append(chunk);
    await drain();
  }
  tokenizer.end();
  await drain();
  run.lines += tokenizer.lines;
  run.keys.pop();
  run.names.pop();
}

async function readInclude(run: Run, from: Source, include: IncludeRequest, depth: number): Promise<void> {
  const fail = (expected: string, found = quoted(include.file)): never => {
    throw new ZoneSyntaxError(from.file, include.line, found, expected);
  };
  if (depth > run.maxDepth) fail(`at most ${run.maxDepth} nested $INCLUDE levels`);
  const file = isAbsolute(include.file) ? include.file : join(from.dir, include.file);
  let key = '';
  let stats: Stats | undefined;
  try {
    key = await realpath(file);
    stats = await stat(key);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(`a file to $INCLUDE (${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)})`);
  }
  // A device, FIFO or directory is no zone text, and /dev/zero or a FIFO never ends: only regular files are read.
  if (!stats!.isFile()) fail(`a regular file to $INCLUDE (${file} is ${fileKind(stats!)})`);
  if (run.keys.includes(key)) fail(`a file that is not already being read (include loop: ${[...run.names, file].join(' -> ')})`);
  if (run.bytes + stats!.size > run.maxBytes) {
    fail(`at most ${count(run.maxBytes)} bytes for the zone with its $INCLUDE files (${count(run.bytes)} read before it)`, `${quoted(include.file)} (${count(stats!.size)} bytes)`);
  }
  await readSource(run, { file, key, dir: dirname(file), chunks: fileChunks(file, run) }, include.origin, depth);
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The file as text, `run.chunkSize` bytes at a time; UTF-8 sequences split by
 * a chunk boundary are joined. Counts the bytes into `run.bytes` and stops
 * past `run.maxBytes` (a file that grows while it is read).
 */
async function* fileChunks(file: string, run: Run): AsyncGenerator<string> {
  const chunkSize = run.chunkSize;
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    const decoder = new StringDecoder('utf8');
    let first = true;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) break;
      run.bytes += bytesRead;
      if (run.bytes > run.maxBytes) throw new Error(`${file}: more than ${count(run.maxBytes)} bytes read for the zone with its $INCLUDE files; at most that is read (maxBytes)`);
      const text = decoder.write(buffer.subarray(0, bytesRead));
      if (text === '') continue;
      yield first ? stripBom(text) : text;
      first = false;
    }
    const rest = decoder.end();
    if (rest !== '') yield rest;
  } finally {
    await handle.close();
  }
}

/** Text held in memory, in chunks as a file is read, so that its lines are bounded the same way. */
function* textChunks(text: string, chunkSize: number): Generator<string> {
  for (let at = 0; at < text.length; at += chunkSize) yield text.slice(at, at + chunkSize);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
