import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readSettled, sameLook, type FileLook, type SettleOptions } from './file-settle.js';

/**
 * A zone file on disk: watched through its directory (editors replace
 * files), read only once it has stopped changing (file-settle.ts), and not
 * read again for a file event when it is as it was at the last read.
 */
export class ZoneFile {
  readonly path: string;
  readonly #settle: SettleOptions;
  /** How the file looked when it was last read (undefined: never read). */
  #lastRead: FileLook | null | undefined;

  constructor(path: string, settle: SettleOptions) {
    this.path = path;
    this.#settle = settle;
  }

  /** Calls `onEvent` for each change the file system reports on the file. */
  watch(onEvent: () => void, onError: (error: Error) => void): FSWatcher {
    const name = basename(this.path);
    const watcher = watch(dirname(this.path), (_event, changed) => {
      if (changed === null || changed === name) onEvent();
    });
    watcher.on('error', onError);
    return watcher;
  }

  /**
   * Reads the file with `load` once it has settled. For a file event, the
   * file's age is not trusted (two looks must agree), and the read resolves
   * to null without loading when the file is as it was at the last read. A
   * value for which `fewerRules` holds is kept only if the file stays still
   * for one more settle interval: a prefix of a file being written parses as
   * a smaller zone.
   */
  read<T>(load: () => Promise<T>, why: 'asked' | 'file event', fewerRules: (value: T) => boolean): Promise<T | null> {
    const event = why === 'file event';
    return readSettled<T | null>(
      this.path,
      this.#settle,
      !event,
      (look) => {
        if (event && sameLook(look, this.#lastRead)) return Promise.resolve(null);
        this.#lastRead = look;
        return load();
      },
      (value) => value !== null && fewerRules(value),
    );
  }
}
