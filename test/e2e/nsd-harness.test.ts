import dnsPacket from 'dns-packet';
import t from 'tap';
import { askUdp } from '../helpers/dns-client.js';
import { startNsd } from '../helpers/nsd.js';

const zone = `$ORIGIN bench.test.
$TTL 300
@    IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300
@    IN NS  ns
ns   IN A   127.0.0.1
www  IN A   192.0.2.1
*    IN A   192.0.2.2
`;

t.test('startNsd serves a zone with a fixed name and a wildcard', async (t) => {
  let nsd: Awaited<ReturnType<typeof startNsd>>;
  try {
    nsd = await startNsd({ zones: [{ name: 'bench.test', text: zone }] });
  } catch (error) {
    if (/install the Debian package/.test((error as Error).message)) return t.plan(0, (error as Error).message);
    throw error;
  }
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

t.test('a zone NSD rejects surfaces its stderr', async (t) => {
  const error = await startNsd({ zones: [{ name: 'broken.test', text: '$ORIGIN broken.test.\n@ IN BOGUS x\n' }] }).then(
    () => undefined,
    (e: Error) => e,
  );
  if (error !== undefined && /install the Debian package/.test(error.message)) return t.plan(0, error.message);
  t.match(error?.message, /NSD output:[\s\S]*unrecognized RR type 'BOGUS'/);
});
