// Gives each test process a temporary directory of its own as TMPDIR, and removes it when the process exits:
// os.tmpdir() reads TMPDIR at every call and the processes a test starts inherit it, so whatever a test, a
// helper or a server it starts puts under tmpdir() is gone after the run, also where the test does not remove
// it itself (a full run left some 200 directories in /tmp before). Preloaded by npm test (tap's node-arg); a
// process started inside such a directory (a CLI child, a worker thread) keeps its parent's. A process killed
// by a signal leaves its directory.
//
// The name is short, in small letters and digits, with no dot: tests write paths under tmpdir() into DNS labels
// (at most 63 octets) and rely on a name that reads the same in lower case ($INCLUDE in an owner name).
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.env.STOPZONE_TEST_TMPDIR === undefined) {
  const dir = join(tmpdir(), `sz-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { mode: 0o700 }); // throws if it exists: never share another run's
  process.env.TMPDIR = dir;
  process.env.STOPZONE_TEST_TMPDIR = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
