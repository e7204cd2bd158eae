import dgram from 'node:dgram';
import net from 'node:net';
import t from 'tap';
import { answerData, askTcp, askUdp, buildQuery } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';
import { prng } from '../helpers/prng.js';


const TOTAL = 10_000;
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

function packets(random: () => number): Buffer[] {
  const int = (n: number) => Math.floor(random() * n);
  const seeds = [
    buildQuery('www.example.test'),
    buildQuery('www.example.test', { type: 'AAAA', bufsize: 1232, dnssecOk: true }),
    buildQuery('a.b.c.example.test', { type: 'TXT', bufsize: 4096 }),
    buildQuery('.', { type: 'NS' }),
  ];
  const out: Buffer[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const kind = int(4);
    if (kind === 0) {
      const raw = Buffer.alloc(int(600));
      for (let j = 0; j < raw.length; j++) raw[j] = int(256);
      out.push(raw);
      continue;
    }
    const base = Buffer.from(seeds[int(seeds.length)]!);
    if (kind === 1) {
      for (let flips = 1 + int(4); flips > 0; flips--) base[int(base.length)] = int(256);
      base[2]! &= 0x7f; // keep QR=0 so most mutants reach the parser
      out.push(base);
    } else if (kind === 2) {
      out.push(base.subarray(0, int(base.length)));
    } else {
      const tail = Buffer.alloc(int(64));
      for (let j = 0; j < tail.length; j++) tail[j] = int(256);
      base.writeUInt16BE(int(4), 6 + 2 * int(3)); // lie about a record count
      out.push(Buffer.concat([base, tail]));
    }
  }
  return out;
}

t.test(`10,000 random and mutated packets (FUZZ_SEED=${seed}) leave the server answering correctly`, async (t) => {
  const upstream = await startFakeUpstream({ records: { 'www.example.test': [{ type: 'A', ttl: 60, data: '192.0.2.1' }] } });
  const server = await startTestServer(testConfig([upstream.hostPort], 'upstream: { timeoutMs: 100, deadlineMs: 200 }\n', 'info'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  t.teardown(() => void process.off('unhandledRejection', onRejection));

  const all = packets(prng(seed));
  const udpShare = all.slice(0, 8000);
  const tcpShare = all.slice(8000);

  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let replies = 0;
  socket.on('message', () => replies++);
  for (let i = 0; i < udpShare.length; i += 250) {
    for (const raw of udpShare.slice(i, i + 250)) socket.send(raw, server.target.port, server.target.address);
    // Pace the sender by a real round trip so the socket buffers never overflow.
    const probe = await askUdp(server.target, 'www.example.test');
    t.equal(probe.packet.rcode, 'NOERROR', `answering after ${i + 250} UDP packets`, { diagnostic: false });
  }
  socket.close();

  // TCP: the same garbage, length-framed, over a few connections.
  for (let c = 0; c < 4; c++) {
    const share = tcpShare.slice(c * 500, (c + 1) * 500);
    await new Promise<void>((resolve) => {
      const conn = net.connect(server.target.port, server.target.address, () => {
        for (const raw of share) {
          const framed = Buffer.alloc(raw.length + 2);
          framed.writeUInt16BE(raw.length, 0);
          raw.copy(framed, 2);
          conn.write(framed);
        }
        conn.end();
      });
      conn.on('data', () => {});
      conn.on('error', () => resolve());
      conn.on('close', () => resolve());
    });
  }

  const udp = await askUdp(server.target, 'www.example.test', { bufsize: 1232 });
  t.same(answerData(udp), ['192.0.2.1'], 'UDP answer still right');
  const tcp = await askTcp(server.target, 'www.example.test');
  t.same(answerData(tcp), ['192.0.2.1'], 'TCP answer still right');
  t.ok(replies > 0, `${replies} replies to the garbage (FORMERR/NOTIMP/answers)`);
  t.same(rejections, [], 'no unhandled rejection');
});
