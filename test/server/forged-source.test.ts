import t from 'tap';
import { askUdp, buildQuery } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { forgingUnavailable, sendFromPortZero } from '../helpers/forged-udp.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * A datagram from source port 0 cannot be answered (nothing can be sent to port 0) and is always forged: one such
 * datagram used to end the process, since dgram's send throws on port 0 and the listener sent its reply from the
 * packet's callback. Now it is dropped before anything is spent on it, and the server answers as before (with
 * STOPZONE_TEST_WORKERS=2, in every worker: no worker dies and is replaced).
 */

/** Queries after the forged ones, each from a socket of its own: with workers, the chance that none reaches the worker that got the forged ones is 2^-40. */
const AFTER = 40;

const unavailable = forgingUnavailable();
const skip = skipWhenMissing(unavailable !== null, `cannot forge a source port here (install python3; run as root): ${unavailable ?? ''}`);

t.test('a datagram from source port 0 is dropped unanswered and unforwarded; the server keeps answering', { skip }, async (t) => {
  const upstream = await startFakeUpstream({ records: {} });
  const server = await startTestServer(testConfig([upstream.hostPort]));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });

  const forgedQuery = buildQuery('forged.example.test');
  const formerr = Buffer.from(buildQuery('formerr.example.test'));
  formerr.writeUInt16BE(2, 4); // QDCOUNT 2: FORMERR, answered at once from the packet's callback
  sendFromPortZero(server.target, [forgedQuery, formerr]);

  // Each socket takes its datagrams in order: once these are answered, the forged ones before them were handled.
  const answers = await Promise.all(Array.from({ length: AFTER }, (_, i) => askUdp(server.target, `after${i}.example.test`)));
  t.ok(answers.every((a) => a.packet.rcode === 'NXDOMAIN'), 'every later query answered (the fake upstream knows none of the names)');
  t.equal(upstream.queries.filter((q) => q.name === 'forged.example.test').length, 0, 'the forged query was never forwarded');
  t.equal(upstream.queries.length, AFTER, 'only the later queries reached the upstream');
  // With workers, a worker that died would also have left some of the 40 unanswered (the kernel keeps sending it its share).
  t.same(server.logs.filter((line) => /^DNS worker \d+ (stopped|failed)/.test(String(line.msg))).map((line) => line.msg), [], 'no worker logged as stopped');
});
