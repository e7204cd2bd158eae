import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * Memory in use after a full collection: the process's RSS, the V8 heap in use and the memory held outside it
 * (Buffers); `bound` says which the round bounds. Two collections with a turn of the event loop between them:
 * V8 frees the backing stores of dead ArrayBuffers on a helper thread after a collection and counts them freed
 * only when that sweep is finished, which the next collection waits for. With one collection, a sample taken
 * while a busy machine held that helper back counted buffers already dead (a CI run's list round: +90.6 MiB,
 * where replays of its seed measured -20 to +5).
 */
export async function settledMemory<B extends 'server rss' | 'heap'>(bound: B): Promise<{ rss: number; heap: number; bound: B }> {
  collect();
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external, bound };
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
