import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tokenHash } from '../../src/console/auth/api-tokens.js';
import { verifyPassword } from '../../src/console/auth/password-hash.js';
import { parseConfig } from '../../src/config/load-config.js';

/** `stopzone passwd` prints a hash the config takes and the login checks; `--token` a token and its hash. */
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs `stopzone ARGS` with `input` piped to stdin; resolves with the exit code and output. */
function run(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...process.execArgv, MAIN, ...args], { env: { PATH: process.env.PATH ?? '', TAP_TYPE_STRIP_ONLY: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

t.test('a password piped in: its hash on stdout, accepted by the config, and only the same password matches it', async (t) => {
  const { code, stdout } = await run(['passwd'], 'correct horse battery staple\nsecond line ignored\n');
  t.equal(code, 0);
  const hash = stdout.trim();
  t.match(hash, /^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  t.equal(parseConfig(`admin:\n  passwordHash: '${hash}'\n`, {}, 'cfg').admin.passwordHash, hash, 'the config takes it as printed');
  t.equal(await verifyPassword('correct horse battery staple', hash), true);
  t.equal(await verifyPassword('correct horse battery stapl', hash), false);
  const again = await run(['passwd'], 'correct horse battery staple\n');
  t.not(again.stdout.trim(), hash, 'a new salt each time');
});

t.test('a short or missing password is refused with exit 1 and no hash', async (t) => {
  const short = await run(['passwd'], 'short\n');
  t.equal(short.code, 1);
  t.equal(short.stdout, '');
  t.match(short.stderr, /the password has 5 characters; expected at least 10/);
  const none = await run(['passwd'], '');
  t.equal(none.code, 1);
  t.match(none.stderr, /no password given/);
});

t.test('--token prints a new token and the hash of that very token, in a config the loader takes', async (t) => {
  const { code, stdout } = await run(['passwd', '--token'], '');
  t.equal(code, 0);
  const token = /^token: (stopzone_[A-Za-z0-9_-]{43})$/m.exec(stdout)?.[1];
  const hash = /^hash: (sha256:[0-9a-f]{64})$/m.exec(stdout)?.[1];
  t.ok(token !== undefined && hash !== undefined, stdout);
  t.equal(hash, tokenHash(token!));
  const snippet = stdout.slice(stdout.indexOf('admin:'));
  t.match(parseConfig(snippet, {}, 'cfg').admin.tokens, [{ name: 'my-script', role: 'read', hash }], 'the snippet printed is a valid config');
});
