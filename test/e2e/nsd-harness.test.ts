import dnsPacket from 'dns-packet';
import t from 'tap';
import { askUdp } from '../helpers/dns-client.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { nsdInstalled, startNsd } from '../helpers/nsd.js';

// Only a missing NSD skips (a failure in CI); NSD failing otherwise fails the test.
const skip = skipWhenMissing(!(await nsdInstalled()), 'NSD is not installed (Debian package nsd)');

const zone = `$ORIGIN bench.test.
$TTL 300
@    IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300
@    IN NS  ns
ns   IN A   127.0.0.1
www  IN A   192.0.2.1
*    IN A   192.0.2.2
`;

t.test('startNsd serves a zone with a fixed name and a wildcard', { skip }, async (t) => {
  const nsd = await startNsd({ zones: [{ name: 'bench.test', text: zone }] });
  t.teardown(() => nsd.stop());
  t.match(nsd.hostPort, /^127\.0\.0\.1:\d+$/);

  const rows = [
    { name: 'www.bench.test', want: '192.0.2.1' },
    { name: 'anything.bench.test', want: '192.0.2.2' },
  ];
  for (const row of rows) {
    const reply = (await askUdp({ address: '127.0.0.1', port: nsd.port }, row.name, { rd: false })).packet;
    t.equal(reply.rcode, 'NOERROR', `${row.name} rcode`);
    t.ok(reply.flags !== undefined && (reply.flags & dnsPacket.AUTHORITATIVE_ANSWER) !== 0, `${row.name} is authoritative`);
    t.same(
      (reply.answers ?? []).map((a) => ({ name: a.name, type: a.type, data: (a as { data?: unknown }).data })),
      [{ name: row.name, type: 'A', data: row.want }],
      `${row.name} answer`,
    );
  }
});

t.test('a zone NSD rejects surfaces its stderr', { skip }, async (t) => {
  const error = await startNsd({ zones: [{ name: 'broken.test', text: '$ORIGIN broken.test.\n@ IN BOGUS x\n' }] }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(error?.message, /NSD output:[\s\S]*unrecognized RR type 'BOGUS'/);
});
