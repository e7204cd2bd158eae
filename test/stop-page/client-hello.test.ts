import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import t from 'tap';
import { MAX_BUFFERED_BYTES, readClientHello } from '../../src/stop-page/client-hello.js';

/** The first bytes Node's own TLS client sends to a loopback listener (its ClientHello, in one write). */
async function capturedHello(options: { servername?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<Buffer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = once(server, 'connection');
  const client = tlsConnect({ host: '127.0.0.1', port, ...options }).on('error', () => {});
  const [socket] = (await accepted) as [Socket];
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  client.destroy();
  server.close();
  return chunk;
}

/** The same handshake bytes cut into records of at most `size` bytes each. */
function reframe(hello: Buffer, size: number): Buffer {
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const records: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const part = body.subarray(i, i + size);
    records.push(Buffer.from([22, 3, 1, part.length >> 8, part.length & 0xff]), part);
  }
  return Buffer.concat(records);
}

/** A TLS 1.2-style ClientHello with no extensions at all (RFC 5246 section 7.4.1.2 allows it). */
function bareHello(): Buffer {
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0]), Buffer.from([0, 2, 0x00, 0x2f]), Buffer.from([1, 0])]);
  const handshake = Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]);
  return Buffer.concat([Buffer.from([22, 3, 1, 0, handshake.length]), handshake]);
}

t.test('the SNI name of real ClientHellos (TLS 1.3 and 1.2), whole or cut into records and chunks', async (t) => {
  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    const hello = await capturedHello({ servername: 'Blocked.Example.test', maxVersion });
    t.same(readClientHello(hello), { state: 'hello', serverName: 'Blocked.Example.test' }, `${maxVersion}: the name as sent`);
    t.same(readClientHello(reframe(hello, 100)), { state: 'hello', serverName: 'Blocked.Example.test' }, `${maxVersion}: across records of 100 bytes`);
    t.same(readClientHello(reframe(hello, 1)), { state: 'hello', serverName: 'Blocked.Example.test' }, `${maxVersion}: one byte per record`);
    const partials = Array.from({ length: hello.length }, (_, n) => readClientHello(hello.subarray(0, n)).state);
    t.same(new Set(partials), new Set(['partial']), `${maxVersion}: every prefix is partial`);
  }
});

t.test('no SNI: a hello without server_name, and one with no extensions', async (t) => {
  // Node sends no SNI when it connects to an IP address without a servername.
  t.same(readClientHello(await capturedHello({})), { state: 'hello', serverName: null });
  t.same(readClientHello(bareHello()), { state: 'hello', serverName: null });
});

t.test('not TLS, broken lengths and oversized hellos are refused, never read past their bytes', async (t) => {
  const hello = await capturedHello({ servername: 'a.example.test' });
  t.same(readClientHello(Buffer.from('GET / HTTP/1.1\r\n')), { state: 'refuse', why: 'not-tls' });
  const alert = Buffer.from([21, 3, 3, 0, 2, 2, 40]);
  t.same(readClientHello(alert), { state: 'refuse', why: 'not-tls' }, 'an alert record, not a handshake');
  const lying = Buffer.from(hello);
  lying.writeUInt16BE(lying.readUInt16BE(9 + 34 + 1 + hello[9 + 34]!) + 2, 9 + 34 + 1 + hello[9 + 34]!); // cipher_suites longer than the hello
  t.same(readClientHello(lying), { state: 'refuse', why: 'malformed' }, 'a length past the end');
  const serverHello = Buffer.from(hello);
  serverHello[5] = 2;
  t.same(readClientHello(serverHello), { state: 'refuse', why: 'malformed' }, 'another handshake message');
  const huge = Buffer.from([22, 3, 1, 0x40, 0x01]);
  t.same(readClientHello(huge), { state: 'refuse', why: 'malformed' }, 'a record over 2^14 bytes');
  const claimsMuch = Buffer.from([22, 3, 1, 0, 4, 1, 0x01, 0, 0]);
  t.same(readClientHello(claimsMuch), { state: 'refuse', why: 'malformed' }, 'a hello that says it is 64 KiB');
  const trickle = reframe(Buffer.concat([Buffer.from([22, 3, 1, 0x3f, 0xfc, 1, 0, 0x3f, 0xf8]), Buffer.alloc(0x3ff8)]), 1).subarray(0, MAX_BUFFERED_BYTES);
  t.same(readClientHello(trickle), { state: 'refuse', why: 'malformed' }, 'still partial after the buffer bound: refused');
});
