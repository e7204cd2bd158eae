import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** The same, with the V8 heap in use and the memory held outside it (Buffers); `bound` says which the round bounds. */
export function settledMemory<B extends 'server rss' | 'heap'>(bound: B): { rss: number; heap: number; bound: B } {
  collect();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external, bound };
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
