/** A block-log destination as SonicBoom is one: it emits 'error' for a write that failed and 'write' for one that worked. */
export interface WatchedDestination {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'write', listener: (bytes: number) => void): unknown;
  flushSync(): void;
}

/**
 * Keeps a destination's write errors (a full disk, EIO, a device gone) from ending the process: SonicBoom emits
 * them as 'error' events, which throw when nobody listens. With this listener `report` is told once when writing
 * starts failing (the reason) and once when it works again (null); SonicBoom keeps what it holds and tries again
 * with the next batch, and lines past blockLog.bufferEvents are dropped and counted, as when it is slow. While it
 * fails, its flushSync (which pino calls as the process exits) does nothing: SonicBoom retries any error but EAGAIN
 * there forever, and the process would never exit.
 */
export function watchFailures(destination: WatchedDestination, report: (failing: string | null) => void): void {
  const flushSync = destination.flushSync.bind(destination);
  let failing = false;
  destination.on('error', (error) => {
    if (failing) return;
    failing = true;
    destination.flushSync = () => {};
    report(error.message);
  });
  destination.on('write', () => {
    if (!failing) return;
    failing = false;
    destination.flushSync = flushSync;
    report(null);
  });
}
