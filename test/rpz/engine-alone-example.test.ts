import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { answerData, askUdp } from '../helpers/dns-client.js';
import { runTypeScript } from '../helpers/cli.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';

/**
 * docs/examples/rpz-alone.ts, the README's "engine alone" program, run as a
 * user runs it: its own process, a fake upstream on loopback as its
 * resolver, asked over UDP. It must enforce every trigger, not only QNAME.
 */
const EXAMPLE = fileURLToPath(new URL('../../docs/examples/rpz-alone.ts', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'stopzone-rpz-alone-'));
const zoneFile = join(dir, 'alone.rpz');
writeFileSync(
  zoneFile,
  [
    '$TTL 300',
    '@ SOA ns hostmaster 1 3600 600 86400 60',
    'bad.example CNAME .',
    '32.2.0.0.127.rpz-client-ip CNAME .',
    '32.66.2.0.192.rpz-ip CNAME .',
    'g.example CNAME *.garden.test.',
    '',
  ].join('\n'),
);

t.test('the engine-alone example enforces client-IP, QNAME, rpz-ip and a walled garden', async (t) => {
  const upstream = await startFakeUpstream({
    records: {
      'www.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.10' }],
      'ipblocked.test': [{ type: 'A', ttl: 300, data: '192.0.2.66' }],
      'g.example.garden.test': [{ type: 'A', ttl: 300, data: '192.0.2.77' }],
    },
  });
  const example = runTypeScript(EXAMPLE, [zoneFile, upstream.hostPort, '0']);
  t.teardown(async () => {
    example.child.kill();
    await example.exited;
    await upstream.close();
  });
  const line = await example.waitFor(/^answering on 127\.0\.0\.1:\d+$/);
  const target = { address: '127.0.0.1', port: Number(line.split(':').at(-1)) };
  const asked = (name: string): number => upstream.queries.filter((q) => q.name.toLowerCase() === name).length;

  t.same(answerData(await askUdp(target, 'www.example.test')), ['192.0.2.10'], 'an unlisted name is resolved upstream');
  const byClient = await askUdp(target, 'www.example.test', { from: '127.0.0.2' });
  t.equal(byClient.packet.rcode, 'NXDOMAIN', 'client-IP: 127.0.0.2 is listed');
  t.equal(asked('www.example.test'), 1, 'client-IP: answered without asking the upstream again');

  t.equal((await askUdp(target, 'bad.example')).packet.rcode, 'NXDOMAIN', 'QNAME');
  t.equal(asked('bad.example'), 0, 'QNAME: the upstream never saw the listed name');

  const byAddress = await askUdp(target, 'ipblocked.test');
  t.equal(byAddress.packet.rcode, 'NXDOMAIN', 'rpz-ip: the answer address 192.0.2.66 is listed');
  t.equal(asked('ipblocked.test'), 1, 'rpz-ip: decided on the resolved answer');

  const garden = await askUdp(target, 'g.example');
  t.same(garden.packet.answers?.map((r) => [r.name, r.type, (r as { data?: unknown }).data]), [
    ['g.example', 'CNAME', 'g.example.garden.test'],
    ['g.example.garden.test', 'A', '192.0.2.77'],
  ], 'walled garden: the CNAME and its target, resolved upstream');
  t.same([asked('g.example'), asked('g.example.garden.test')], [0, 1]);
});
