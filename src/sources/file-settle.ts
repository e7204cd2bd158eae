import { stat } from 'node:fs/promises';

/** What one look at a file saw; null when it is missing. */
export interface FileLook {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/** Wall-clock milliseconds (compared with file times) and a wait: tests move both instead of sleeping. */
export interface ZoneClock {
  now(): number;
  delay(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: ZoneClock = {
  now: () => Date.now(),
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Looks at `path` (null when it does not exist). */
export async function lookAt(path: string): Promise<FileLook | null> {
  try {
    const { size, mtimeMs, ctimeMs, ino } = await stat(path);
    return { size, mtimeMs, ctimeMs, ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Whether two looks saw the same file, unchanged (a rename-over changes the inode, a write the size or times). */
export function sameLook(a: FileLook | null | undefined, b: FileLook | null | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** How long a file must have been still before it is read, and how long to wait for that at most. */
export interface SettleOptions {
  readonly settleMs: number;
  readonly maxWaitMs: number;
  readonly clock: ZoneClock;
  /** Told why a read was thrown away (for the log). */
  readonly onRetry?: (reason: string) => void;
}

/**
 * Reads a file that someone may be writing: waits until it has stopped
 * changing, then calls `read` with what the last look saw. Stopped means two
 * looks settleMs apart agree (a missing file must stay missing, as editors
 * delete and re-create); with `trustAge` (start-up, SIGHUP: no change was
 * seen) a file whose mtime is already settleMs old counts at the first look.
 * When the file changed while it was read, or `recheck(value)` asks for it
 * and the file changes within one more settleMs after the read, the value is
 * thrown away and the wait starts again: a writer whose mtime keeps moving is
 * waited for, however much of the file parses already. Rejects when the file
 * is still changing after maxWaitMs.
 */
export async function readSettled<T>(path: string, options: SettleOptions, trustAge: boolean, read: (look: FileLook | null) => Promise<T>, recheck: (value: T) => boolean): Promise<T> {
  const { settleMs, maxWaitMs, clock } = options;
  const deadline = clock.now() + maxWaitMs;
  const beforeDeadline = (): void => {
    if (clock.now() > deadline) throw new Error(`${path} was still changing after ${maxWaitMs / 1000} s; not read (a zone file is read once it has not changed for ${settleMs} ms)`);
  };
  let first = trustAge;
  for (;;) {
    let look = await lookAt(path);
    if (!(first && look !== null && look.mtimeMs <= clock.now() - settleMs)) {
      for (;;) {
        beforeDeadline();
        await clock.delay(settleMs);
        const again = await lookAt(path);
        if (sameLook(look, again)) break;
        look = again;
      }
    }
    first = false;
    const value = await read(look);
    if (!sameLook(look, await lookAt(path))) {
      options.onRetry?.('it changed while it was read');
    } else if (!recheck(value)) {
      return value;
    } else {
      await clock.delay(settleMs);
      if (sameLook(look, await lookAt(path))) return value;
      options.onRetry?.(`it changed again within ${settleMs} ms of a read that found fewer rules than the version in force`);
    }
    beforeDeadline();
  }
}
