/**
 * Where the answering thread's time goes, by part of the path: reads a `solo.ts` profile (`perf script` of its
 * perf.data) and classes each sample of the busiest thread by its stack, the first matching part in the order
 * below (so a client's answer sent from a promise reaction counts as a send, not as a reaction).
 *
 * Run: perf script -i bench/out/<stamp>-solo.perf.data -F tid,ip,sym > /tmp/solo.script
 *      npx node --import ./test/helpers/ts-resolve.mjs bench/solo/by-part.ts /tmp/solo.script
 */
import { readFileSync } from 'node:fs';

const PARTS: ReadonlyArray<readonly [string, (frames: readonly string[]) => boolean]> = [
  ['garbage collection', (f) => has(f, 'Heap::CollectGarbage', 'Scavenger', 'MarkCompact', 'ArrayBufferSweeper')],
  ['upstream sockets opened and closed', (f) => has(f, 'uv__udp_close', 'Socket.close node:dgram') || f.some((frame) => frame.includes('udp-sockets.js') && /(#open|close) file:/.test(frame))],
  ['sending answers to clients', (f) => has(f, 'Socket.send') && has(f, 'in-flight.js', 'udp-listener.js') && !has(f, 'resolution.js')],
  ['sending queries upstream', (f) => has(f, 'Socket.send') && has(f, 'resolution.js')],
  ['block records (log line, store, reference code)', (f) => has(f, 'block-log', 'block-line', 'sqlite-event-store', 'block-event', 'line-batch', 'sonic-boom', 'event-batch')],
  ['a miss answered (its answer taken, stored, relayed)', (f) => has(f, 'udp-sockets.js', 'resolution.js')],
  ['answering in the callback (hits, policy, a miss started)', (f) => has(f, 'handlePacket')],
  ['promise reactions and ticks', (f) => has(f, 'RunMicrotasks', 'processTicksAndRejections')],
  ["Node's receive path", (f) => has(f, 'uv__udp_recvmsg', 'UDPWrap::OnRecv', 'onMessage node:dgram')],
  ['event loop (epoll)', (f) => has(f, 'uv__io_poll', 'epoll')],
];

function has(frames: readonly string[], ...keys: string[]): boolean {
  return frames.some((frame) => keys.some((key) => frame.includes(key)));
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: by-part.ts <perf script output (-F tid,ip,sym)>');
const samples: Array<{ tid: string; frames: string[] }> = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  if (!line.startsWith('\t')) samples.push({ tid: line.trim().split(/\s+/)[0]!, frames: [] });
  else samples.at(-1)?.frames.push(line.trim().split(/\s+/).slice(1).join(' '));
}
const perThread = new Map<string, number>();
for (const { tid } of samples) perThread.set(tid, (perThread.get(tid) ?? 0) + 1);
const [busiest] = [...perThread].sort((a, b) => b[1] - a[1])[0] ?? [];
const mine = samples.filter((sample) => sample.tid === busiest);
const counts = new Map<string, number>();
for (const { frames } of mine) {
  const part = PARTS.find(([, matches]) => matches(frames))?.[0] ?? 'other';
  counts.set(part, (counts.get(part) ?? 0) + 1);
}
console.log(`thread ${busiest}: ${mine.length} of ${samples.length} samples`);
for (const [part, count] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${((100 * count) / mine.length).toFixed(1).padStart(6)} %  ${part}`);
