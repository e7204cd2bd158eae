import net from 'node:net';
import t from 'tap';
import { askTcp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

async function setup(t: { teardown(fn: () => Promise<void>): void }, listen: string) {
  const upstream = await startFakeUpstream({ records: { 'a.test': [{ type: 'A', ttl: 60, data: '192.0.2.1' }] } });
  const server = await startTestServer(testConfig([upstream.hostPort]).replace('listen: { addresses: ["127.0.0.1"], port: 0 }', `listen: { addresses: ["127.0.0.1"], port: 0, ${listen} }`));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return server;
}

/** Resolves when the server closes the connection. */
const closedByServer = (socket: net.Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

t.test('an idle TCP connection is closed after tcpIdleTimeoutMs', async (t) => {
  const server = await setup(t, 'tcpIdleTimeoutMs: 200');
  const socket = net.connect(server.target.port, server.target.address);
  const started = Date.now();
  await closedByServer(socket);
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 150 && elapsed < 2000, `closed after ${elapsed} ms`);
});

t.test('connections past tcpMaxConnections are closed, the others still served', async (t) => {
  const server = await setup(t, 'tcpMaxConnections: 2');
  const open = [net.connect(server.target.port, server.target.address), net.connect(server.target.port, server.target.address)];
  await Promise.all(open.map((s) => new Promise((resolve) => s.once('connect', resolve))));
  const third = net.connect(server.target.port, server.target.address);
  third.on('error', () => {});
  await closedByServer(third);
  t.pass('third connection closed by the server');
  await Promise.all(open.map((s) => new Promise<void>((resolve) => s.end(resolve))));
  // The server counts a connection as gone when it sees the close: retry a bounded number of times.
  let rcode: string | undefined;
  for (let attempt = 0; attempt < 50 && rcode === undefined; attempt++) {
    rcode = await askTcp(server.target, 'a.test', { timeoutMs: 500 }).then((r) => r.packet.rcode, () => undefined);
  }
  t.equal(rcode, 'NOERROR', 'new connections served once the others closed');
});
