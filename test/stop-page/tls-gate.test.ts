import { once } from 'node:events';
import { connect, createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import t, { type Test } from 'tap';
import { createLeafMinter } from '../../src/stop-page/leaf-certificates.js';
import { loadOperatorCa } from '../../src/stop-page/operator-ca.js';
import { gateConnections, refusalCounts, type HelloDecision } from '../../src/stop-page/tls-gate.js';
import { makeTestCa } from '../helpers/chromium.js';

/** The gate in front of a TLS server, over loopback sockets: what each kind of first bytes gets. */
async function listen(t: Test, server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    (server as Server & { closeAllConnections?(): void }).closeAllConnections?.();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/** Everything the server sends on a raw connection after `bytes`, until it closes. */
async function rawExchange(port: number, bytes: Buffer | null): Promise<Buffer> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  if (bytes !== null) socket.write(bytes);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks);
}

const ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70]);

t.test('with a TLS server behind it: an admitted name completes its handshake, a refused one gets the alert', async (t) => {
  const ca = await makeTestCa();
  const leaf = await (await createLeafMinter(await loadOperatorCa(ca.certFile, ca.keyFile), { now: Date.now })).mint('in.example.test');
  const refused = refusalCounts();
  const seen: Array<[string | null, string]> = [];
  const decide: HelloDecision = async (name, client) => {
    seen.push([name, client]);
    return name === 'in.example.test' ? null : 'not-blocked';
  };
  const server = gateConnections(createTlsServer({ cert: `${leaf.certPem}\n${ca.certPem}`, key: leaf.keyPem }, (socket) => socket.end('hello from TLS\n')), { decide, refused });
  const port = await listen(t, server);

  const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'in.example.test', ca: ca.certPem });
  await once(socket, 'secureConnect');
  t.ok(socket.authorized, 'handshake over the bytes the gate read and gave back');
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  t.equal(text, 'hello from TLS\n');

  const error = await new Promise<Error>((resolve) => tlsConnect({ host: '127.0.0.1', port, servername: 'out.example.test', ca: ca.certPem }).on('error', resolve));
  t.match(error.message, /unrecognized name|alert number 112/i);
  t.same(seen, [['in.example.test', '127.0.0.1'], ['out.example.test', '127.0.0.1']], 'decided once per connection, with the SNI name and the peer');
  t.equal(refused['not-blocked'], 1);

  t.same(await rawExchange(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), Buffer.alloc(0), 'plain HTTP: closed, no alert');
  t.equal(refused['not-tls'], 1);
  t.same(await rawExchange(port, Buffer.from([22, 3, 1, 0x40, 0x01])), ALERT, 'a record over 2^14 bytes: the alert');
  t.equal(refused.malformed, 1);
  t.equal(seen.length, 2, 'neither reached decide');
});

t.test('without a TLS server (no CA): the alert at the first byte', async (t) => {
  const refused = refusalCounts();
  const port = await listen(t, gateConnections(createNetServer(), { refused }));
  t.same(await rawExchange(port, Buffer.from([22, 3, 1])), ALERT, 'a ClientHello not yet whole: the alert at once');
  t.equal(refused['no-ca'], 1);
});

t.test('a connection that sends nothing, or half a ClientHello, is closed after idleMs', async (t) => {
  const refused = refusalCounts();
  const port = await listen(t, gateConnections(createTlsServer({}), { decide: () => null, refused, idleMs: 200 }));
  t.same(await rawExchange(port, null), Buffer.alloc(0), 'silent: closed');
  t.same(await rawExchange(port, Buffer.from([22, 3, 1, 0, 200, 1])), Buffer.alloc(0), 'half a hello: closed');
});
