import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { readDashboard } from './event-dashboard.js';
import { searchEvents, type SearchBudget } from './event-search.js';
import { StoreUnavailableError, type Dashboard, type EventFilter, type EventPage } from './event-store.js';
import { cannotRead } from './store-failure.js';
import { openForReading } from './store-schema.js';

/**
 * The store's read side, on the thread that calls it: one read-only
 * connection (WAL: it never waits for the writer), opened on first use and
 * again after a failure, with its prepared statements. Every failure is a
 * StoreUnavailableError saying why.
 */
export class StoreReader {
  readonly #file: string;
  readonly #budget: SearchBudget;
  #connection: { db: DatabaseSync; statements: Map<string, StatementSync> } | null = null;

  constructor(file: string, budget: SearchBudget) {
    this.#file = file;
    this.#budget = budget;
  }

  search(filter: EventFilter): EventPage {
    return this.#read((db, statements) => searchEvents(db, statements, filter, this.#budget));
  }

  dashboard(now: number): Dashboard {
    return this.#read((db, statements) => readDashboard(db, statements, now));
  }

  /** Closes the connection; the next read opens it again (the file may be a new one). */
  close(): void {
    try {
      this.#connection?.db.close();
    } catch {}
    this.#connection = null;
  }

  #read<T>(read: (db: DatabaseSync, statements: Map<string, StatementSync>) => T): T {
    try {
      this.#connection ??= { db: openForReading(this.#file), statements: new Map() };
      return read(this.#connection.db, this.#connection.statements);
    } catch (error) {
      this.close();
      throw new StoreUnavailableError(cannotRead(this.#file, error));
    }
  }
}
