import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/** One input of the report: a file, or a stream (stdin for `-`, or a test's). */
export interface LineSource {
  /** As named on the command line, for messages. */
  readonly name: string;
  /** Opened when its turn comes, so only one input is open at a time. */
  readonly open: () => AsyncIterable<Buffer | string>;
}

/**
 * Bytes read at once (also gunzip's output chunks). Below V8's large-object
 * size (128 KiB), so each chunk's text is allocated young and dies in a cheap
 * scavenge: 1 MiB chunks went to the large-object space, freed only by full
 * collections, and doubled the peak RSS at the same speed.
 */
const CHUNK = 64 * 1024;
/** A "line" longer than this (a binary file, a log without newlines) is cut: one skipped line, and memory stays bounded. */
export const MAX_LINE = 1 << 20;

/** A file read in large chunks. */
export function fileSource(path: string): LineSource {
  return { name: path, open: () => createReadStream(path, { highWaterMark: CHUNK }) };
}

/**
 * Calls `onLine` for each line of `source` (without its newline), gunzipping
 * it when it starts with the gzip magic bytes 1f 8b, whatever its name
 * (concatenated gzip members, as `cat a.gz b.gz` makes, are read through).
 * `onBytes` gets the bytes read as they come (compressed, for gzip). Rejects
 * on read errors and corrupt or truncated gzip, after the lines before it.
 */
export async function readLines(source: LineSource, onLine: (line: string) => void, onBytes: (bytes: number) => void = () => undefined): Promise<void> {
  const input = source.open()[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  while (head.length < 2 && !ended) {
    const next = await input.next();
    if (next.done === true) ended = true;
    else {
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      onBytes(chunk.length);
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    }
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await input.next();
      if (next.done === true) return;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      onBytes(chunk.length);
      yield chunk;
    }
  }
  const split = lineSplitter(onLine);
  try {
    if (head[0] === 0x1f && head[1] === 0x8b) {
      await pipeline(Readable.from(chunks(), { objectMode: false }), createGunzip({ chunkSize: CHUNK }), async (gunzipped: AsyncIterable<Buffer>) => {
        for await (const chunk of gunzipped) split.push(chunk);
      });
    } else {
      for await (const chunk of chunks()) split.push(chunk);
    }
  } finally {
    split.end();
  }
}

/**
 * Splits UTF-8 chunks into lines (`\n`; a `\r` before it stays, JSON.parse
 * ignores it). Only the new text is searched for a newline, and the rest of a
 * line cut at MAX_LINE is dropped as it comes, so each character is scanned
 * once (joining the held part to each chunk and searching it all again took
 * 13 ms a megabyte on a line without newlines).
 */
function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let cutting = false;
  const take = (text: string): void => {
    let from = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
      if (cutting) cutting = false;
      else onLine(rest === '' ? text.slice(from, at) : rest + text.slice(from, at));
      rest = '';
      from = at + 1;
    }
    if (cutting) return;
    rest = from === 0 ? rest + text : text.slice(from);
    if (rest.length > MAX_LINE) {
      onLine('');
      cutting = true;
      rest = '';
    }
  };
  return {
    push: (chunk) => take(decoder.write(chunk)),
    end: () => {
      take(decoder.end());
      if (rest.length > 0 && !cutting) onLine(rest);
      rest = '';
    },
  };
}
