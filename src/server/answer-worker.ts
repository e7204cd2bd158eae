import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { configFromThread } from '../config/cross-thread.js';
import { ActionKind } from '../rpz/actions.js';
import { RepeatedLines } from '../observe/repeated-lines.js';
import { OldVersions } from '../sources/old-versions.js';
import { startAnsweringLoop } from './answering-loop.js';
import { clockReader } from './clock-relay.js';
import { HitBacklog } from './hit-backlog.js';
import { HitBatcher } from './hit-relay.js';
import type { NotifyHandler } from './handle-packet.js';
import { PolicyReceiver } from './policy-receiver.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import type { FromWorker, ToWorker, WorkerStart } from './worker-messages.js';

/**
 * Worker thread body: one answering loop (answering-loop.ts) on the shared port, for the WorkerPool
 * (worker-pool.ts). The policy and client groups come from the main thread through a PolicyReceiver,
 * caught up before each query is decoded; log lines, answers for the block log
 * and NOTIFY requests go to the main thread, which writes and answers them; /metrics asks for this
 * loop's metrics. On "close" it stops taking queries, answers those received, and says so.
 */
const start = workerData as WorkerStart;
const port = parentPort!;
const post = (message: FromWorker): void => port.postMessage(message);
const config = configFromThread(start.config);
const now = start.clock === null ? undefined : clockReader(start.clock);
// Lines go to the main thread, which writes them where its own go (one writer for the process log too).
const log = pino({ level: config.log.level, base: { name: 'stopzone', worker: start.index }, timestamp: pino.stdTimeFunctions.isoTime }, { write: (line: string) => post({ type: 'log', line }) });
const lines = new RepeatedLines(log, { ...(now && { now }) });
const oldVersions = new OldVersions();
const receiver = new PolicyReceiver(start.policy, (generation) => post({ type: 'applied', generation }), oldVersions);

/**
 * Answers for the block log (those on which a rule fired; every one with store.allQueries) go to the main thread
 * HITS_EVERY_MS after the first of them, or once HITS_AT_ONCE wait. Each message wakes the main thread: sent once
 * per turn of the event loop, a few records each, those wake-ups cost the main thread 37-43 µs of CPU per record
 * with 2 workers on 2 CPUs (bench/README.md, solo.ts, "Workers"), more than writing them. The block log waits up
 * to 250 ms before it writes in any case; a stop-page answer's record goes at once (the browser comes next).
 */
const HITS_EVERY_MS = 20;
const HITS_AT_ONCE = 256;
const hits = new HitBatcher();
let hitsTimer: NodeJS.Timeout | undefined;
const backlog = new HitBacklog(start.backlog.words);
const sendHits = (): void => {
  clearTimeout(hitsTimer);
  if (hits.count === 0) return;
  const batch = hits.take();
  port.postMessage({ type: 'hits', batch } satisfies FromWorker, [batch.bytes.buffer]);
};

const asked = new Map<number, (reply: Buffer | null) => void>();
let nextId = 0;
const notify: NotifyHandler = (raw, meta) =>
  new Promise((resolve) => {
    const id = nextId++;
    asked.set(id, resolve);
    post({ type: 'notify', id, raw: new Uint8Array(raw), meta });
  });

const gate = start.rateLimit === null ? undefined : new RateLimiter(config.rateLimit, { now: now ?? Date.now, finish: { maxUdpPayload: config.listen.maxUdpPayload }, log, lines }, start.rateLimit);
let loop: Awaited<ReturnType<typeof startAnsweringLoop>>;
try {
  loop = await startAnsweringLoop({
    config,
    log,
    lines,
    policy: receiver,
    // Called once per query, at decode, before anything reads the policy: the one place to catch up.
    groupOf: (client, listener) => {
      receiver.catchUp();
      return receiver.groups.groupOf(client, listener);
    },
    onLogged: (query, answer, ede) => {
      // Dropped (and counted) while the main thread has too many of this worker's records to handle.
      if (!backlog.admit(start.backlog.limit)) return;
      if (hits.count === 0) hitsTimer = setTimeout(sendHits, HITS_EVERY_MS);
      hits.add(query, answer, ede);
      // A browser may visit the stop page as soon as it has this answer: what the page must remember of it goes first.
      if (answer.policy?.kind === ActionKind.STOP_PAGE || hits.count >= HITS_AT_ONCE) sendHits();
    },
    ...(start.notify && { notify }),
    ...(gate !== undefined && { gate }),
    loops: start.loops,
    ...(now && { now }),
  });
} catch (error) {
  // The main thread ends this thread once it has read why (an exit now could overtake the message).
  post({ type: 'failed', message: (error as Error).message, ...((error as NodeJS.ErrnoException).code !== undefined && { code: (error as NodeJS.ErrnoException).code }) });
  throw error;
}
post({ type: 'ready', endpoints: loop.endpoints });

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'catch-up':
      receiver.catchUp();
      break;
    case 'metrics':
      post({ type: 'metrics', id: message.id, metrics: loop.metrics.families() });
      break;
    case 'flush':
      sendHits();
      post({ type: 'flushed', id: message.id });
      break;
    case 'notify-answer':
      asked.get(message.id)?.(message.reply === null ? null : Buffer.from(message.reply.buffer, message.reply.byteOffset, message.reply.byteLength));
      asked.delete(message.id);
      break;
    case 'close':
      void loop.close().then(() => {
        sendHits();
        lines.close();
        oldVersions.close();
        post({ type: 'closed' });
      });
      break;
  }
});
