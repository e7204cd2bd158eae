import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { runCli } from '../helpers/cli.js';

/** Its own file: each CLI process compiles the sources first, and the serve tests already take most of a file's minute. */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-health-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

t.test('stopzone healthcheck: 0 while the server is ready, 1 when nothing answers', async (t) => {
  const upstream = await startFakeUpstream({});
  t.teardown(() => upstream.close());
  const config = file('health.yaml', `listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["${upstream.hostPort}"]\nadmin: { listen: ["127.0.0.1:0"] }\nstopPage: { enabled: false }\n`);
  const server = runCli(['serve', '--config', config]);
  t.teardown(() => void server.child.kill('SIGKILL'));
  await server.waitFor(/"msg":"stopzone serving"/);
  const admin = (JSON.parse(server.stdout().split('\n').find((l) => l.includes('stopzone serving'))!) as { admin: string[] }).admin[0]!;
  const healthy = runCli(['healthcheck', '--config', file('health-check.yaml', `upstreams: ["127.0.0.1:53"]\nadmin: { listen: ["${admin}"] }\n`)]);
  t.equal(await healthy.exited, 0);
  t.match(healthy.stdout(), /\/readyz answered 200/);
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0);
  const down = runCli(['healthcheck', '--config', file('health-down.yaml', `upstreams: ["127.0.0.1:53"]\nadmin: { listen: ["${admin}"] }\n`)]);
  t.equal(await down.exited, 1);
  t.match(down.stdout(), /ECONNREFUSED/);
});
