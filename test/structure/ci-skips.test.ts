import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// In CI nothing a test needs may be missing (issue 18 §4): every skip goes through skipWhenMissing, which throws
// when CI is set, and .ci/run sets it.
const root = fileURLToPath(new URL('../../', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

t.test('every run-time skip in test/ goes through skipWhenMissing (a Linux-only check is the one exception)', async (t) => {
  const offenders: string[] = [];
  for (const file of testFiles('test')) {
    readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
      const skips = /\{ skip[:, }]|\bt\.skip\(|\bt\.plan\(0/.test(line);
      // `skip` and `noCheckzone` are set by skipWhenMissing; `missing` by chromiumMissing, which calls it.
      const allowed = /skipWhenMissing|process\.platform !== 'linux'/.test(line) || /\{ skip \}|\{ skip: noCheckzone \}|t\.plan\(0, missing\)/.test(line);
      if (skips && !allowed) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  t.same(offenders, [], 'no skip decided outside skipWhenMissing');
});

t.test('.ci/run sets CI, and with CI set a missing tool throws instead of skipping', async (t) => {
  t.match(readFileSync(join(root, '.ci/run'), 'utf8'), /^export CI=1\b/m);
  const script = "import { skipWhenMissing } from './test/helpers/missing-tool.ts'; console.log(JSON.stringify(skipWhenMissing(false, 'x'))); try { skipWhenMissing(true, 'nsd is not installed'); console.log('skipped'); } catch (e) { console.log(e.message); }";
  const run = (ci: string) =>
    spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script.replace('.ts', '.js')], { cwd: root, env: { PATH: process.env.PATH ?? '', CI: ci }, encoding: 'utf8' });
  const ci = run('1');
  t.match(ci.stdout, /^false\nnsd is not installed; CI runs every test, so a missing tool or file is a failure, not a skip$/m, `CI=1: ${ci.stderr}`);
  const local = run('');
  t.match(local.stdout, /^false\nskipped$/m, `no CI: ${local.stderr}`);
});
