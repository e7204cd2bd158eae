import t from 'tap';
import { FrameReader, frame } from '../../src/upstream/tcp-frames.js';
import { fromUpstream } from '../../src/upstream/udp-sockets.js';
import { parseUpstreamAddress } from '../../src/upstream/index.js';

const one = Buffer.from('hello');
const two = Buffer.alloc(300, 7);
const stream = Buffer.concat([frame(one), frame(two), frame(Buffer.alloc(0))]);

t.test('frames survive any split of the stream', async (t) => {
  const splits: Array<{ name: string; chunks: Buffer[] }> = [
    { name: 'whole', chunks: [stream] },
    { name: 'one octet at a time', chunks: [...stream].map((b) => Buffer.from([b])) },
    { name: 'split inside the length', chunks: [stream.subarray(0, 1), stream.subarray(1, 8), stream.subarray(8)] },
    { name: 'split after a length', chunks: [stream.subarray(0, 9), stream.subarray(9, 11), stream.subarray(11)] },
  ];
  for (const split of splits) {
    const reader = new FrameReader();
    const frames = split.chunks.flatMap((c) => reader.push(c));
    t.same(frames.map((f) => f.toString('hex')), [one, two, Buffer.alloc(0)].map((f) => f.toString('hex')), split.name);
  }
});

t.test('an incomplete frame waits', async (t) => {
  const reader = new FrameReader();
  t.same(reader.push(frame(two).subarray(0, 100)), []);
  t.equal(reader.push(frame(two).subarray(100)).length, 1);
});

t.test('only the upstream address and port count as its answer', async (t) => {
  const v4 = parseUpstreamAddress('127.0.0.1:5300');
  const v6 = parseUpstreamAddress('[0:0::1]:5300');
  const rows = [
    { target: v4, from: { address: '127.0.0.1', port: 5300 }, want: true },
    { target: v4, from: { address: '127.0.0.1', port: 5301 }, want: false },
    { target: v4, from: { address: '127.0.0.2', port: 5300 }, want: false },
    { target: v6, from: { address: '::1', port: 5300 }, want: true },
    { target: v6, from: { address: '::1', port: 53 }, want: false },
    { target: v6, from: { address: '::2', port: 5300 }, want: false },
  ];
  for (const row of rows) t.equal(fromUpstream(row.from, row.target), row.want, `${row.target.label} <- ${row.from.address}:${row.from.port}`);
});
