import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startBindPrimary } from '../helpers/bind-primary.js';
import { freePort } from '../helpers/daemon.js';
import { askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer } from '../helpers/stopzone.js';
import { zoneStatusWhere } from '../helpers/zone-events.js';

/**
 * docs/scale.md in miniature: two Stopzone instances, each a secondary of
 * the same BIND primary with TSIG, both enforce a rule added at the primary
 * after the NOTIFY it sends them (how soon is for bench/).
 */
t.test('two instances fed by one BIND primary both enforce a new rule on the NOTIFY', async (t) => {
  const key = { name: 'fleet-key', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') } as const;
  const ports = [await freePort(), await freePort()];
  const primary = await startBindPrimary({
    zone: 'policy.fleet',
    text: '$TTL 300\n@ SOA ns.policy.fleet. hostmaster.policy.fleet. 1 3600 600 86400 60\n@ NS ns.policy.fleet.\nns A 127.0.0.1\nold.example.policy.fleet. CNAME .\n',
    key,
    notify: ports.map((port) => `127.0.0.1:${port}`),
  });
  t.teardown(() => primary.stop());
  const upstream = await startFakeUpstream({ records: { 'new.example': [{ type: 'A', ttl: 60, data: '192.0.2.1' }] } });
  t.teardown(() => upstream.close());

  const instances = await Promise.all(
    ports.map(async (port) => {
      const server = await startTestServer(`listen: { addresses: ["127.0.0.1"], port: ${port} }
upstreams: ["${upstream.hostPort}"]
log: { level: info }
state: { dir: "${mkdtempSync(join(tmpdir(), 'stopzone-fleet-'))}" }
tsigKeys: [{ name: ${key.name}, algorithm: ${key.algorithm}, secret: "${key.secret}" }]
policy: { zones: [{ name: policy.fleet, primaries: ["${primary.hostPort}"], key: ${key.name}, policy: nxdomain }] }
`);
      t.teardown(() => server.close());
      return server;
    }),
  );
  for (const [i, server] of instances.entries()) {
    t.equal((await askUdp(server.target, 'old.example')).packet.rcode, 'NXDOMAIN', `instance ${i + 1}: the zone is in force`);
    t.equal((await askUdp(server.target, 'new.example', { rd: true })).packet.rcode, 'NOERROR', `instance ${i + 1}: new.example is not listed yet`);
  }
  // A bound on the test; the SOA refresh (3600 s) is far past tap's 120 s, so only the NOTIFY can bring serial 2.
  const updated = instances.map((server) => zoneStatusWhere(server, (s) => s.serial === '2', 30_000));
  await primary.update(['update add new.example.policy.fleet. 300 CNAME .']);
  const statuses = await Promise.all(updated);
  for (const [i, server] of instances.entries()) {
    const notify = server.logs.find((l) => String(l.msg).startsWith('NOTIFY for policy.fleet'));
    const ms = statuses[i]!.lastSuccess! - new Date(notify?.time as string).getTime();
    t.ok(ms >= 0, `instance ${i + 1}: enforced after the NOTIFY (${ms} ms, ${statuses[i]!.lastTransfer?.kind})`);
    t.equal((await askUdp(server.target, 'new.example')).packet.rcode, 'NXDOMAIN', `instance ${i + 1}: the new rule is enforced`);
  }
});
