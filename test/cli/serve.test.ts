import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import t from 'tap';
import { answerData, askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { runCli } from '../helpers/cli.js';
import { testPasswordHash, testToken } from '../helpers/console-client.js';

const dir = mkdtempSync(join(tmpdir(), 'stopzone-cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

t.test('stopzone --help and serve --help describe the commands and every option', async (t) => {
  const main = runCli(['--help']);
  t.equal(await main.exited, 0);
  t.match(main.stdout(), /serve\s+answer DNS/);
  const serve = runCli(['serve', '--help']);
  t.equal(await serve.exited, 0);
  t.match(serve.stdout(), /--config PATH/);
  t.match(serve.stdout(), /listen\.port[\s\S]*default: 5353/);
  t.match(serve.stdout(), /STOPZONE_UPSTREAMS/);
});

t.test('a bad config stops start-up with the key and the reason', async (t) => {
  const bad = runCli(['serve', '--config', file('bad.yaml', 'listen:\n  port: 99999\n')]);
  t.equal(await bad.exited, 78, 'exit 78 (EX_CONFIG)');
  t.match(bad.stderr(), /bad\.yaml:2: listen\.port: found 99999; expected/);
  const missing = runCli(['serve', '--config', join(dir, 'nope.yaml')]);
  t.equal(await missing.exited, 78);
  t.match(missing.stderr(), /nope\.yaml: cannot read the configuration file/);
  const env = runCli(['serve', '--config', file('ok.yaml', 'upstreams: ["127.0.0.1:53"]\n')], { STOPZONE_LOG_LEVEL: 'chatty' });
  t.equal(await env.exited, 78);
  t.match(env.stderr(), /STOPZONE_LOG_LEVEL \(log\.level\): found "chatty"/);
});

t.test('serve: start-up line with the effective config, answers over UDP and TCP, SIGTERM exits 0', async (t) => {
  const upstream = await startFakeUpstream({ records: { 'cli.test': [{ type: 'A', ttl: 60, data: '192.0.2.7' }] } });
  t.teardown(() => upstream.close());
  const config = file('serve.yaml', 'listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["127.0.0.1:1"]\nadmin: { listen: ["127.0.0.1:0"] }\nstopPage: { enabled: false }\n');
  // The upstream comes from the environment, as a container would set it.
  const server = runCli(['serve', '--config', config], { STOPZONE_UPSTREAMS: upstream.hostPort });
  t.teardown(() => void server.child.kill('SIGKILL'));
  const line = JSON.parse(await server.waitFor(/"msg":"stopzone serving"/)) as {
    config: { upstreams: string[]; listen: { port: number } };
    endpoints: Array<{ address: string; port: number }>;
  };
  t.same(line.config.upstreams, [upstream.hostPort], 'effective config logged, environment applied');
  const target = line.endpoints[0]!;
  t.same(answerData(await askUdp(target, 'cli.test')), ['192.0.2.7']);
  t.same(answerData(await askTcp(target, 'cli.test')), ['192.0.2.7']);
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'clean exit on SIGTERM');
  t.match(server.stdout(), /"msg":"stopzone stopped"/, 'log flushed before exit');
});

t.test('serve: the start-up line shows no secret: the console password\'s hash and the tokens\' hashes are "(set)"', async (t) => {
  const hash = await testPasswordHash();
  const token = testToken('deploy', 'admin');
  const config = file('secrets.yaml', `listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["127.0.0.1:1"]\nadmin: { listen: ["127.0.0.1:0"], passwordHash: '${hash}', tokens: [${token.yaml}] }\nstopPage: { enabled: false }\nstate: { dir: ${join(dir, 'state')} }\n`);
  const server = runCli(['serve', '--config', config]);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const line = await server.waitFor(/"msg":"stopzone serving"/);
  t.match(JSON.parse(line), { config: { admin: { passwordHash: '(set)', tokens: [{ name: 'deploy', role: 'admin', hash: '(set)' }] } } });
  t.notOk(line.includes(hash.split('$').at(-1)!), 'the hash is nowhere in the line');
  t.notOk(line.includes('sha256:'), 'nor a token\'s');
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0);
});

t.test('serve: a real SIGHUP reloads the zones; a real SIGTERM drains a query in flight, then exits 0', async (t) => {
  const upstream = await startFakeUpstream({ records: { 'slow.test': [{ type: 'A', ttl: 60, data: '192.0.2.9' }], 'later.test': [{ type: 'A', ttl: 60, data: '192.0.2.8' }] } });
  t.teardown(() => upstream.close());
  const zone = file('signals.rpz', '$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\nfirst.test CNAME .\n');
  const config = file(
    'signals.yaml',
    `listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["${upstream.hostPort}"]\nadmin: { listen: ["127.0.0.1:0"] }\nstopPage: { enabled: false }\nlog: { level: info }\npolicy: { zones: [{ name: signals.rpz, file: ${zone} }] }\n`,
  );
  const server = runCli(['serve', '--config', config]);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const target = (JSON.parse(await server.waitFor(/"msg":"stopzone serving"/)) as { endpoints: Array<{ address: string; port: number }> }).endpoints[0]!;
  t.equal((await askUdp(target, 'later.test')).packet.rcode, 'NOERROR', 'later.test not listed yet');

  // The file changes; a real SIGHUP (not reloadAll()) must load it: serial 2 in the log, later.test refused.
  writeFileSync(zone, '$TTL 60\n@ SOA ns hostmaster 2 3600 600 86400 60\nfirst.test CNAME .\nlater.test CNAME .\n');
  server.child.kill('SIGHUP');
  await server.waitFor(/"serial":"?2"?,.*"msg":"policy zone loaded"/);
  t.equal((await askUdp(target, 'later.test')).packet.rcode, 'NXDOMAIN', 'after SIGHUP the new rule is enforced');

  // A query the upstream holds is in flight when SIGTERM comes: it still gets its answer, then the process exits 0.
  upstream.setBehaviour('hold');
  const inFlight = askUdp(target, 'slow.test', { timeoutMs: 60_000 });
  await upstream.received(upstream.queries.length + 1);
  server.child.kill('SIGTERM');
  // Shutdown has begun once the TCP listener refuses connections (an event to wait on): only then may the upstream answer.
  await listenerRefuses(target);
  upstream.release();
  const reply = await inFlight;
  t.same([reply.packet.rcode, answerData(reply)], ['NOERROR', ['192.0.2.9']], 'the query in flight was answered');
  t.equal(await server.exited, 0, 'exit 0 after the drain');
  t.match(server.stdout(), /"msg":"stopzone stopped"/);
});

/** Resolves once a TCP connection to `target` is refused: each try waits for the kernel's answer, not for a time. */
async function listenerRefuses(target: { address: string; port: number }): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(target.port, target.address);
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
