import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

// The runtime is pinned by the `node` devDependency (README "Which Node"): npm puts its binary in
// node_modules/.bin, first on the PATH of npm scripts and npx, whatever Node the machine has.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { stopzone: string }; engines: { node: string }; devDependencies: Record<string, string> };
const pinnedMajor = Number(/\d+/.exec(pkg.devDependencies.node ?? '')?.[0]);
const major = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1]);

t.test('the suite runs on the Node major that package.json pins, and engines admits it', async (t) => {
  t.ok(pinnedMajor >= 24, `devDependencies.node pins a major (${pkg.devDependencies.node})`);
  t.equal(major(process.version), pinnedMajor, `this test process (started by tap under npm test) runs ${process.version}`);
  t.equal(pkg.engines.node, `>=${pinnedMajor}`, 'engines.node asks for the pinned major or later');
});

t.test('`npx stopzone serve`, as the docs run it in a checkout, serves on the pinned Node', async (t) => {
  t.ok(existsSync(join(ROOT, pkg.bin.stopzone)), `${pkg.bin.stopzone} is built (npm install builds it; else npm run build)`);
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-runtime-'));
  const config = join(dir, 'stopzone.yaml');
  writeFileSync(config, 'listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["127.0.0.1:1"]\nadmin: { listen: ["127.0.0.1:0"] }\nstopPage: { enabled: false }\n');
  // An admin's shell: the system's PATH only (its node may be older), npx from there; npx puts node_modules/.bin
  // first for the bin it runs. --offline: the bin is this package's own, nothing is fetched.
  const server = runCli(['serve', '--config', config], { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? dir }, { command: ['npx', '--offline', 'stopzone'], cwd: ROOT });
  // npx runs stopzone as its child: signal the whole group (npx does not pass SIGTERM on).
  const signalAll = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-server.child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  t.teardown(() => signalAll('SIGKILL'));
  const line = JSON.parse(await server.waitFor(/"msg":"stopzone serving"/)) as { admin: string[] };
  const metrics = await (await fetch(`http://${line.admin[0]}/metrics`)).text();
  const info = /^stopzone_process_nodejs_version_info\{version="(v[\d.]+)"/m.exec(metrics)?.[1];
  t.equal(info, process.version, 'its /metrics names the same Node as this test process');
  signalAll('SIGTERM');
  await server.exited;
});
