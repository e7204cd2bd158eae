import { getPriority } from 'node:os';
import t from 'tap';
import { startLowPriorityWorker } from '../../src/sources/low-priority-worker.js';

/**
 * The refresh thread must not take CPU from the thread answering queries,
 * not even while it starts: its priority is lowered from outside before its
 * first line runs. The worker here reports its priority as its first act.
 */

t.test('a worker starts at the lowest priority; the thread that started it keeps its own', { skip: process.platform !== 'linux' && 'per-thread nice values are a Linux feature' }, async (t) => {
  const own = getPriority(0);
  const worker = startLowPriorityWorker("require('node:worker_threads').parentPort.postMessage(require('node:os').getPriority(0))", { eval: true });
  const priority = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  t.equal(priority, 19, 'nice 19 before the worker ran a line of its own');
  t.equal(getPriority(0), own, 'the starting thread is unchanged');
});
