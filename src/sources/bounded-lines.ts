import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { lineTooLong } from '../rpz/zone-syntax-error.js';

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/**
 * Calls `onLine` with each line of `file` (UTF-8, "\n" or "\r\n", the line
 * ending removed) and its 1-based number. Each character is scanned once; a
 * line longer than `maxLineLength` characters rejects with file:line as soon
 * as that is known, so a list without newlines costs neither memory nor a
 * huge message. Resolves to the number of lines.
 */
export async function readBoundedLines(file: string, maxLineLength: number, onLine: (line: string, number: number) => void): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let number = 0;
    const emit = (line: string): void => {
      number++;
      if (line.length > maxLineLength) throw lineTooLong(file, number, line, maxLineLength);
      onLine(line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line, number);
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      const text = bytesRead === 0 ? decoder.end() : decoder.write(buffer.subarray(0, bytesRead));
      let from = 0;
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
        emit(rest === '' ? text.slice(from, at) : rest + text.slice(from, at));
        rest = '';
        from = at + 1;
      }
      rest = from === 0 ? rest + text : text.slice(from);
      if (rest.length > maxLineLength) throw lineTooLong(file, number + 1, rest, maxLineLength);
      if (bytesRead === 0) {
        if (rest !== '') emit(rest);
        return number;
      }
    }
  } finally {
    await handle.close();
  }
}
