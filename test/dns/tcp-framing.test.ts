import t from 'tap';
import { MessageFramer, frame } from '../../src/dns/tcp-framing.js';

const one = Buffer.from('hello');
const two = Buffer.alloc(300, 7);
/** Pushes `chunk` and reads every message it completes, as each reader of a TCP stream does. */
function push(framer: MessageFramer, chunk: Buffer): Buffer[] {
  framer.push(chunk);
  const messages: Buffer[] = [];
  for (let message = framer.next(); message !== null; message = framer.next()) messages.push(message);
  return messages;
}

const stream = Buffer.concat([frame(one), frame(two), frame(Buffer.alloc(0))]);

t.test('frames survive any split of the stream', async (t) => {
  const splits: Array<{ name: string; chunks: Buffer[] }> = [
    { name: 'whole', chunks: [stream] },
    { name: 'one octet at a time', chunks: [...stream].map((b) => Buffer.from([b])) },
    { name: 'split inside the length', chunks: [stream.subarray(0, 1), stream.subarray(1, 8), stream.subarray(8)] },
    { name: 'split after a length', chunks: [stream.subarray(0, 9), stream.subarray(9, 11), stream.subarray(11)] },
  ];
  for (const split of splits) {
    const reader = new MessageFramer();
    const frames = split.chunks.flatMap((c) => push(reader, c));
    t.same(frames.map((f) => f.toString('hex')), [one, two, Buffer.alloc(0)].map((f) => f.toString('hex')), split.name);
  }
});

t.test('an incomplete frame waits', async (t) => {
  const reader = new MessageFramer();
  t.same(push(reader, frame(two).subarray(0, 100)), []);
  t.equal(reader.started, true, 'a message has begun');
  t.equal(push(reader, frame(two).subarray(100)).length, 1);
  t.equal(reader.started, false, 'and is whole');
});
