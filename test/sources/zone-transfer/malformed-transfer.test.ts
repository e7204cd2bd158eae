import net from 'node:net';
import { endpoint, type Endpoint } from '../../../src/config/address.js';
import t, { type Test } from 'tap';
import { transfer } from '../../../src/sources/zone-transfer/transfer.js';
import { assertLoopback } from '../../helpers/loopback-guard.js';
import { answerWith, pointer } from '../../helpers/malformed-answers.js';

/**
 * A primary's messages become the zone's copy on disk and the policy in
 * force, so they are checked as upstream answers are (issue 17, D11): a
 * compression pointer that points forward is refused, not followed.
 */

const SOA_TAIL = (serial: number): number[] => [0, 6, 0, 1, 0, 0, 0x0e, 0x10, 0, 29, 2, 0x6e, 0x73, ...pointer(12), 1, 0x68, ...pointer(12), 0, 0, 0, serial, 0, 0, 0x0e, 0x10, 0, 0, 2, 0x58, 0, 1, 0x51, 0x80, 0, 0, 0, 60];
const CNAME_ROOT = [0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, 1, 0]; // CNAME . (NXDOMAIN in RPZ)

/** One AXFR message: SOA, `blocked CNAME .` twice (the first owner as `owner` says), SOA. */
function axfr(owner: 'backward' | 'forward') {
  return (query: Buffer): Buffer =>
    answerWith(query, [4, 0, 0], (at) => {
      const soa = [...pointer(12), ...SOA_TAIL(1)];
      const second = at + soa.length;
      // "blocked" + the zone; the other record's owner points at it.
      const named = [7, ...Buffer.from('blocked'), ...pointer(12), ...CNAME_ROOT];
      if (owner === 'backward') return [...soa, ...named, ...pointer(second), ...CNAME_ROOT, ...soa];
      const third = second + 2 + CNAME_ROOT.length;
      return [...soa, ...pointer(third), ...CNAME_ROOT, ...named, ...soa];
    });
}

/** A primary on loopback that answers every framed query with `answer(query)`. */
async function fakePrimary(t: Test, answer: (query: Buffer) => Buffer): Promise<Endpoint> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (chunk: Buffer) => {
      const message = answer(chunk.subarray(2, 2 + chunk.readUInt16BE(0)));
      const framed = Buffer.alloc(message.length + 2);
      framed.writeUInt16BE(message.length, 0);
      message.copy(framed, 2);
      socket.end(framed);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const primary = endpoint(`127.0.0.1:${(server.address() as net.AddressInfo).port}`, 'primary');
  assertLoopback(primary);
  return primary;
}

t.test('an AXFR whose names point back is read', async (t) => {
  const primary = await fakePrimary(t, axfr('backward'));
  const result = await transfer({ kind: 'axfr', primary, zone: 'rpz.test', timeoutMs: 2000, maxBytes: 65536 });
  t.match(result, { kind: 'axfr', serial: 1 });
  t.match(result.kind === 'axfr' ? result.lines.join('\n') : '', /blocked\.rpz\.test\.\s.*CNAME\s+\.\n.*blocked\.rpz\.test\.\s.*CNAME\s+\./);
});

t.test('an AXFR with a forward compression pointer is refused, naming the primary and what was wrong', async (t) => {
  const primary = await fakePrimary(t, axfr('forward'));
  await t.rejects(transfer({ kind: 'axfr', primary, zone: 'rpz.test', timeoutMs: 2000, maxBytes: 65536 }), {
    message: new RegExp(`^the primary ${primary} sent a malformed message during the AXFR of rpz\\.test: answer record 2: owner: a compression pointer to itself or forward`),
  });
});

t.test('an AXFR whose records take more than transfer.maxBytes as text is refused, though fewer bytes came', async (t) => {
  // One 243-character name, then 300 records owned by a 2-byte pointer to it: some 4 KB on the wire, 75 KB as text.
  const label = (c: string): number[] => [60, ...Buffer.from(c.repeat(60))];
  const primary = await fakePrimary(t, (query) =>
    answerWith(query, [303, 0, 0], (at) => {
      const soa = [...pointer(12), ...SOA_TAIL(1)];
      const longAt = at + soa.length;
      const long = [...label('a'), ...label('b'), ...label('c'), ...label('d'), ...pointer(12), ...CNAME_ROOT];
      const repeats = Array.from({ length: 300 }, () => [...pointer(longAt), ...CNAME_ROOT]).flat();
      return [...soa, ...long, ...repeats, ...soa];
    }),
  );
  const what = new RegExp(`^the AXFR of rpz\\.test from ${primary.label}: the records received take more than transfer\\.maxBytes \\(20000 bytes\\) as text`);
  await t.rejects(transfer({ kind: 'axfr', primary, zone: 'rpz.test', timeoutMs: 2000, maxBytes: 20_000 }), { message: what }, 'refused, naming the limit');
  const whole = await transfer({ kind: 'axfr', primary, zone: 'rpz.test', timeoutMs: 2000, maxBytes: 200_000 });
  t.ok(whole.bytes < 20_000 && whole.kind === 'axfr' && whole.lines.join('\n').length > 20_000, `read under a limit that holds its text (${whole.bytes} bytes received)`);
});
