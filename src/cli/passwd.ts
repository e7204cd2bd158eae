import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { hashPassword } from '../console/auth/password-hash.js';
import { newToken, tokenHash } from '../console/auth/api-tokens.js';

/** Shortest password accepted: the login rate limit slows guessing, it does not make a short password strong. */
const MIN_LENGTH = 10;

/** Where passwd reads and writes: a terminal (asks twice, no echo) or a pipe (the first line). */
export interface PasswdIo {
  readonly input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly output: Writable;
  readonly errors: Writable;
}

/**
 * `stopzone passwd`: reads a password (twice, without echo, on a terminal; the first line from a pipe) and
 * prints its scrypt hash for admin.passwordHash or STOPZONE_ADMIN_PASSWORD_HASH. `--token`: prints a new
 * random API token once and its hash for admin.tokens. Exit status 1 for a refused password.
 */
export async function passwd(token: boolean, io: PasswdIo): Promise<number> {
  if (token) {
    const value = newToken();
    io.output.write(`token: ${value}\nhash: ${tokenHash(value)}\n\nThe token is shown this once; keep it with the script that uses it. In stopzone.yaml:\nadmin:\n  tokens:\n    - { name: my-script, role: read, hash: "${tokenHash(value)}" }\n`);
    return 0;
  }
  const first = await readSecret(io, 'New console password: ');
  if (first === null || first.length < MIN_LENGTH) {
    io.errors.write(`stopzone passwd: ${first === null ? 'no password given' : `the password has ${first.length} characters; expected at least ${MIN_LENGTH}`}\n`);
    return 1;
  }
  if (io.input.isTTY === true && (await readSecret(io, 'Again: ')) !== first) {
    io.errors.write('stopzone passwd: the two passwords differ\n');
    return 1;
  }
  const hash = await hashPassword(first);
  io.output.write(`${hash}\n`);
  if (io.input.isTTY === true) io.errors.write('Put it in stopzone.yaml as admin.passwordHash (in single quotes), or in STOPZONE_ADMIN_PASSWORD_HASH.\n');
  return 0;
}

/** One line from the input: on a terminal after `prompt`, read in raw mode so that nothing typed is echoed; null at the end of the input or on Ctrl-C. */
function readSecret(io: PasswdIo, prompt: string): Promise<string | null> {
  if (io.input.isTTY !== true) {
    const lines = createInterface({ input: io.input });
    return new Promise((resolve) => {
      let line: string | null = null;
      lines.once('line', (text) => {
        line = text;
        lines.close();
      });
      lines.once('close', () => resolve(line));
    });
  }
  io.errors.write(prompt);
  io.input.setRawMode?.(true);
  io.input.resume();
  let typed = '';
  return new Promise((resolve) => {
    const finish = (value: string | null): void => {
      io.input.off('data', onData);
      io.input.setRawMode?.(false);
      io.input.pause();
      io.errors.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') return finish(typed);
        if (c === '\u0003' || c === '\u0004') return finish(null);
        typed = c === '\u007f' || c === '\b' ? Array.from(typed).slice(0, -1).join('') : typed + c;
      }
    };
    io.input.on('data', onData);
  });
}
