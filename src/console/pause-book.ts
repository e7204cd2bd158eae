import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../sources/atomic-file.js';

/** A policy zone paused for one client group: its names are not filtered for that group until `until`. */
export interface Pause {
  readonly id: string;
  readonly zone: string;
  readonly group: string;
  /** When it was made and when it ends, ms since the epoch. */
  readonly since: number;
  readonly until: number;
  readonly who: string;
  readonly reason: string;
}

/** Pauses in force at most: each costs a little on every policy publish. */
export const MAX_PAUSES = 100;

/** What the book needs: a clock, and where the pauses in force go (PolicyZones.pause, by way of the group numbering). */
export interface PauseBookOptions {
  readonly now: () => number;
  readonly apply: (pauses: readonly Pause[]) => void;
}

/**
 * The console's pauses, kept in a JSON file in the state directory so that a restart keeps them until they
 * end. A pause ends by itself: the policy stops honouring it at `until` with no timer (the zone's rule for
 * the group says so, schedule/zone-when.ts); a timer only tidies ended pauses out of the file and the policy.
 */
export class PauseBook {
  readonly #path: string;
  readonly #options: PauseBookOptions;
  #pauses: Pause[];
  #timer: NodeJS.Timeout | undefined;
  /** Writes in order, one at a time. */
  #writing: Promise<void> = Promise.resolve();

  private constructor(path: string, pauses: Pause[], options: PauseBookOptions) {
    this.#path = path;
    this.#pauses = pauses;
    this.#options = options;
  }

  /** Reads the book at `path` (none yet: empty), drops the pauses that ended while Stopzone was down, and applies the rest. */
  static async open(path: string, options: PauseBookOptions): Promise<PauseBook> {
    const stored = await readJsonFile<Pause[]>(path);
    const book = new PauseBook(path, Array.isArray(stored) ? stored.filter(isPause) : [], options);
    book.#tidy();
    return book;
  }

  /** The pauses in force, soonest to end first. */
  list(): Pause[] {
    const now = this.#options.now();
    return this.#pauses.filter((pause) => pause.until > now).sort((a, b) => a.until - b.until);
  }

  /** Applies the pauses in force again (after a reload renumbered the groups). */
  reapply(): void {
    this.#options.apply(this.list());
  }

  /** Adds a pause and puts it in force; saved before it resolves. Throws when MAX_PAUSES are in force. */
  async add(pause: Omit<Pause, 'id' | 'since' | 'until'> & { minutes: number }): Promise<Pause> {
    const live = this.list();
    if (live.length >= MAX_PAUSES) throw new Error(`${MAX_PAUSES} pauses are in force already; end one first`);
    const since = this.#options.now();
    const { minutes, ...rest } = pause;
    const added: Pause = { ...rest, id: randomBytes(6).toString('hex'), since, until: since + minutes * 60_000 };
    await this.#change([...live, added]);
    return added;
  }

  /** Ends pause `id` at once; null when there is no such pause in force. */
  async remove(id: string): Promise<Pause | null> {
    const found = this.list().find((pause) => pause.id === id) ?? null;
    if (found === null) return null;
    await this.#change(this.#pauses.filter((pause) => pause.id !== id));
    return found;
  }

  /** Stops the tidying timer. */
  close(): void {
    clearTimeout(this.#timer);
  }

  /** Puts `pauses` in force and saves them; when the file cannot be written, the pauses before stay in force and the error is thrown. */
  async #change(pauses: Pause[]): Promise<void> {
    const before = this.#pauses;
    this.#pauses = pauses;
    try {
      await this.#save();
    } catch (error) {
      this.#pauses = before;
      this.#tidy();
      throw error;
    }
  }

  /** Puts the book in force and writes it; the file follows the policy, never leads it. */
  async #save(): Promise<void> {
    this.#tidy();
    const text = JSON.stringify(this.#pauses, null, 1);
    const write = this.#writing.then(async () => {
      await mkdir(dirname(this.#path), { recursive: true });
      await writeFileAtomic(this.#path, text);
    });
    this.#writing = write.catch(() => undefined);
    await write;
  }

  /** Drops ended pauses, applies the rest, and sets the timer for the next end. */
  #tidy(): void {
    this.#pauses = this.list();
    this.#options.apply(this.#pauses);
    clearTimeout(this.#timer);
    const next = this.#pauses[0];
    if (next === undefined) return;
    const wait = Math.min(2 ** 31 - 1, Math.max(0, next.until - this.#options.now()) + 1);
    this.#timer = setTimeout(() => void this.#save().catch(() => undefined), wait).unref();
  }
}

function isPause(value: unknown): value is Pause {
  const p = value as Partial<Pause> | null;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.zone === 'string' && typeof p.group === 'string' && typeof p.until === 'number' && typeof p.since === 'number' && typeof p.who === 'string' && typeof p.reason === 'string';
}
