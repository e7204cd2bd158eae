import t from 'tap';
import { batchBytes } from '../../src/observe/block-log.js';

// What the block log hands its destinations at once: never more than a pipe writes whole, unless every destination
// is a regular file; and never so much that one batch, gathered for up to a quarter of a second, fills what a
// destination may hold (blockLog.bufferEvents × 400 bytes), whereupon lines would be dropped with the disk idle.
t.test('a batch is PIPE_BUF for pipes, up to 64 KiB for files, and an eighth of the room at most', async (t) => {
  const room = (events: number): number => events * 400;
  t.equal(batchBytes(false, room(10_000)), 4096, 'stdout a pipe, a socket or a terminal: 4 KiB, the default room');
  t.equal(batchBytes(false, room(100)), 4096, 'the same with the least room');
  t.equal(batchBytes(true, room(10_000)), 65_536, 'every destination a regular file, the default room: 64 KiB');
  for (const events of [100, 163, 164, 1000, 1_000_000]) {
    const bytes = batchBytes(true, room(events));
    t.ok(bytes >= 4096 && bytes <= 65_536 && bytes <= room(events) / 8, `bufferEvents ${events}: ${bytes} bytes, within 4 KiB-64 KiB and an eighth of ${room(events)}`);
  }
});
