import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Resident memory in bytes after a full collection, so samples compare live memory rather than when V8 last collected. */
export function settledRss(): number {
  collect();
  return process.memoryUsage.rss();
}

/** The same, with the V8 heap in use and the memory held outside it (Buffers), for rounds that run in this process. */
export function settledMemory(): { rss: number; heap: number } {
  collect();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external };
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
