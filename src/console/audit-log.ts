import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One change made through the console (or a login), as GET /api/audit shows it. */
export interface AuditEntry {
  /** Milliseconds since the epoch, like the events' time. */
  readonly time: number;
  /** "admin" (the password), "local" (no password, on loopback) or "token:<name>". */
  readonly who: string;
  /** login, logout, rule.add, rule.remove, pause.add, pause.remove */
  readonly what: string;
  /** What was changed, in words: "allow example.org in allow.rpz: the teacher needs it". */
  readonly detail: string;
}

/** Where the audit trail is kept: a file here; the event store's database could hold it later behind the same two calls. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** The newest `limit` entries, newest first. */
  list(limit: number): Promise<AuditEntry[]>;
}

/** How much of the file's end `list` reads at most: some 4,000 entries, more than any page shows. */
const TAIL_BYTES = 1024 * 1024;

/**
 * The audit log as a JSON-lines file in the state directory (one entry a line, appended, never rewritten,
 * so an admin can also read it with `tail` or ship it). A line that does not parse is skipped when listing.
 */
export class FileAuditLog implements AuditLog {
  readonly path: string;
  #dirMade: Promise<unknown> | null = null;

  constructor(path: string) {
    this.path = path;
  }

  async append(entry: AuditEntry): Promise<void> {
    this.#dirMade ??= mkdir(dirname(this.path), { recursive: true });
    await this.#dirMade;
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o640 });
  }

  async list(limit: number): Promise<AuditEntry[]> {
    let file;
    try {
      file = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await file.read(buffer, 0, buffer.length, start);
      // From the middle of the file the first line is cut: dropped.
      const lines = buffer.toString('utf8').split('\n').slice(start === 0 ? 0 : 1);
      const entries: AuditEntry[] = [];
      for (let i = lines.length - 1; i >= 0 && entries.length < limit; i--) {
        const entry = parseEntry(lines[i]!);
        if (entry !== null) entries.push(entry);
      }
      return entries;
    } finally {
      await file.close();
    }
  }
}

function parseEntry(line: string): AuditEntry | null {
  if (line.trim() === '') return null;
  try {
    const value = JSON.parse(line) as Partial<AuditEntry>;
    if (typeof value.time !== 'number' || typeof value.who !== 'string' || typeof value.what !== 'string' || typeof value.detail !== 'string') return null;
    return { time: value.time, who: value.who, what: value.what, detail: value.detail };
  } catch {
    return null;
  }
}
