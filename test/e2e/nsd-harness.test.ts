import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { startNsd } from '../helpers/nsd.js';

const zone = `$ORIGIN bench.test.
$TTL 300
@    IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300
@    IN NS  ns
ns   IN A   127.0.0.1
www  IN A   192.0.2.1
*    IN A   192.0.2.2
`;

/** One UDP question to 127.0.0.1:port, decoded; rejects after a second. */
function ask(port: number, name: string): Promise<dnsPacket.Packet & { rcode?: string }> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no reply for ${name}`));
    }, 1000);
    socket.once('message', (raw) => {
      clearTimeout(timer);
      socket.close();
      resolve(dnsPacket.decode(raw));
    });
    socket.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ name, type: 'A', class: 'IN' }] }), port, '127.0.0.1');
  });
}

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
    const reply = await ask(nsd.port, row.name);
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
