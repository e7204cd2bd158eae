import { DatabaseSync } from 'node:sqlite';

/** The layout this version writes; a file with a larger user_version was written by a newer Stopzone. */
export const SCHEMA_VERSION = 1;

/** Ids are the event's time in ms times ID_PER_MS plus its order within that millisecond (see EventWriter). */
export const ID_PER_MS = 1024;

/** Dimensions of the hourly counts (table hourly): what `key` holds. */
export const DIM = { total: 0, name: 1, client: 2, list: 3, group: 4 } as const;

/**
 * Tables and indexes. Time is the primary key (the id), so "newest first" and time ranges are
 * id ranges. What a few values repeat for every event (message, zone, list, trigger, action,
 * group, transport, listener) is one row of `facets`, so the list and group index is the index
 * on events.facet. `names` holds each name once, so a search by part of a name reads the
 * names, not every event. `hourly` counts blocks per hour by name, client, list and group for
 * the dashboard, so it never reads the events themselves.
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS facets (
  id INTEGER PRIMARY KEY,
  msg TEXT NOT NULL, zone TEXT NOT NULL, list TEXT NOT NULL, trigger TEXT NOT NULL,
  action TEXT NOT NULL, grp TEXT NOT NULL, transport TEXT NOT NULL, listener TEXT NOT NULL,
  UNIQUE (msg, zone, list, trigger, action, grp, transport, listener)
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  facet INTEGER NOT NULL,
  ref TEXT NOT NULL,
  client TEXT NOT NULL,
  qname TEXT NOT NULL,
  qtype TEXT NOT NULL,
  rule TEXT,
  ede INTEGER
);
CREATE INDEX IF NOT EXISTS events_ref ON events (ref);
CREATE INDEX IF NOT EXISTS events_qname ON events (qname);
CREATE INDEX IF NOT EXISTS events_client ON events (client);
CREATE INDEX IF NOT EXISTS events_facet ON events (facet);
CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hourly (
  dim INTEGER NOT NULL, hour INTEGER NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (dim, hour, key)
) WITHOUT ROWID;
`;

/**
 * Pages the write-ahead log holds before they are copied into the file (SQLite's wal_autocheckpoint; its default
 * is 1,000). A batch of events touches a page of each index for nearly every event (references and names are in
 * no order), so with 1,000 the log was copied after nearly every batch, with an fsync each time; with 10,000 (40
 * MiB of log at most, below journal_size_limit) a page changed by several batches is copied once: the writing
 * thread's CPU per event fell by 17-21 % (bench/store/writer-cost.ts).
 */
export const WAL_CHECKPOINT_PAGES = 10_000;

/**
 * Opens the database for writing, creating it and its tables when new: WAL
 * mode (readers never wait for the writer), synchronous NORMAL (a commit
 * does not wait for the disk; a power cut loses at most the last commits,
 * never the file), a checkpoint every WAL_CHECKPOINT_PAGES pages, and up to
 * `busyMs` of waiting for another program's lock.
 * Throws SQLite's error when the file is not a database, is locked, or was
 * written by a newer Stopzone.
 */
export function openForWriting(file: string, busyMs: number, cacheKiB = 16384): DatabaseSync {
  const db = new DatabaseSync(file, { timeout: busyMs });
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = NORMAL; PRAGMA cache_size = -${cacheKiB}; PRAGMA journal_size_limit = 67108864; PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    if (version > SCHEMA_VERSION) throw new Error(`written by a newer Stopzone (layout ${version}; this one knows ${SCHEMA_VERSION})`);
    db.exec(`BEGIN; ${TABLES} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens the database for reading on the answering thread: never waits for a lock (a locked file is an error at once). */
export function openForReading(file: string): DatabaseSync {
  const db = new DatabaseSync(file, { readOnly: true, timeout: 0 });
  db.exec('PRAGMA cache_size = -8192');
  return db;
}
