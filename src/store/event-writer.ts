import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { AT, FIELDS } from './event-batch.js';
import { DIM, ID_PER_MS } from './store-schema.js';

const HOUR_MS = 3_600_000;

/**
 * Writes batches of events into an open database (on the writing thread),
 * one transaction per batch: the events, their facets and names, and the
 * hourly counts of blocks. Also deletes what retention lets go, a bounded
 * batch per call.
 */
export class EventWriter {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #addFacet: StatementSync;
  readonly #findFacet: StatementSync;
  readonly #addName: StatementSync;
  readonly #count: StatementSync;
  readonly #lastInMs: StatementSync;
  readonly #facets = new Map<string, number>();
  /** The largest id in the table: a newer millisecond starts above it without asking the database. */
  #lastId: number;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO events (id, facet, ref, client, qname, qtype, rule, ede) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#addFacet = db.prepare('INSERT OR IGNORE INTO facets (msg, zone, list, trigger, action, grp, transport, listener) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#findFacet = db.prepare('SELECT id FROM facets WHERE msg = ? AND zone = ? AND list = ? AND trigger = ? AND action = ? AND grp = ? AND transport = ? AND listener = ?');
    this.#addName = db.prepare('INSERT OR IGNORE INTO names (name) VALUES (?)');
    this.#count = db.prepare('INSERT INTO hourly (dim, hour, key, n) VALUES (?, ?, ?, ?) ON CONFLICT (dim, hour, key) DO UPDATE SET n = n + excluded.n');
    this.#lastInMs = db.prepare('SELECT max(id) AS id FROM events WHERE id >= ? AND id < ?');
    this.#lastId = (db.prepare('SELECT max(id) AS id FROM events').get() as { id: number | null }).id ?? -1;
  }

  /** Writes a batch (FIELDS values per event, event-batch.ts) in one transaction; returns how many events. */
  write(batch: readonly unknown[]): number {
    const counts = new Map<string, HourCount>();
    const names = new Set<string>();
    this.#db.exec('BEGIN');
    try {
      for (let at = 0; at < batch.length; at += FIELDS) {
        const given = Number(batch[at + AT.time]);
        const time = Number.isFinite(given) && given >= 0 ? Math.floor(given) : Date.now();
        const qname = String(batch[at + AT.qname]);
        const rule = String(batch[at + AT.rule]);
        const ede = batch[at + AT.ede];
        this.#insertEvent(time, [this.#facet(batch, at), String(batch[at + AT.ref]), String(batch[at + AT.client]), qname, String(batch[at + AT.qtype]), rule === qname ? null : rule, typeof ede === 'number' ? ede : null]);
        names.add(qname);
        if (batch[at + AT.msg] === 'blocked') countBlock(counts, Math.floor(time / HOUR_MS), batch, at);
      }
      for (const name of names) this.#addName.run(name);
      for (const { dim, hour, key, n } of counts.values()) this.#count.run(dim, hour, key, n);
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      // Facets first added in the transaction are gone with it: their remembered ids would name no row.
      this.#facets.clear();
      this.#lastId = (this.#db.prepare('SELECT max(id) AS id FROM events').get() as { id: number | null }).id ?? -1;
      throw error;
    }
    return batch.length / FIELDS;
  }

  /** Deletes at most `limit` of the oldest events with time < `before` (ms), in one transaction; returns how many. */
  deleteOlder(before: number, limit: number): number {
    const below = before * ID_PER_MS;
    const edge = this.#db.prepare('SELECT id FROM events WHERE id < ? ORDER BY id LIMIT 1 OFFSET ?').get(below, limit - 1) as { id: number } | undefined;
    const { changes } = this.#db.prepare('DELETE FROM events WHERE id < ? AND id <= ?').run(below, edge?.id ?? below);
    return Number(changes);
  }

  /** Deletes the hourly counts of up to `hours` of the oldest hours before `before` (ms); returns the rows deleted. */
  deleteOlderCounts(before: number, hours: number): number {
    const end = Math.floor(before / HOUR_MS);
    const first = (this.#db.prepare('SELECT min(hour) AS hour FROM hourly WHERE dim = ?').get(DIM.total) as { hour: number | null }).hour;
    let changes = 0;
    for (const dim of Object.values(DIM)) {
      changes += Number(this.#db.prepare('DELETE FROM hourly WHERE dim = ? AND hour < ?').run(dim, Math.min(end, (first ?? end) + hours)).changes);
    }
    return changes;
  }

  /**
   * Deletes the names no event holds any more, looking at up to `limit` names after `after`
   * (in name order); returns the last name looked at (null: the end) and how many went.
   */
  deleteUnusedNames(after: string, limit: number): { last: string | null; deleted: number } {
    const last = this.#db.prepare('SELECT name FROM names WHERE name > ? ORDER BY name LIMIT 1 OFFSET ?').get(after, limit - 1) as { name: string } | undefined;
    const upTo = last?.name ?? null;
    const { changes } = this.#db
      .prepare(`DELETE FROM names WHERE name > ? ${upTo === null ? '' : 'AND name <= ?'} AND NOT EXISTS (SELECT 1 FROM events WHERE events.qname = names.name)`)
      .run(...(upTo === null ? [after] : [after, upTo]));
    return { last: upTo, deleted: Number(changes) };
  }

  #facet(batch: readonly unknown[], at: number): number {
    const values = [AT.msg, AT.zone, AT.list, AT.trigger, AT.action, AT.group, AT.transport, AT.listener].map((field) => String(batch[at + field]));
    const key = JSON.stringify(values);
    let id = this.#facets.get(key);
    if (id === undefined) {
      this.#addFacet.run(...values);
      id = (this.#findFacet.get(...values) as { id: number }).id;
      this.#facets.set(key, id);
    }
    return id;
  }

  /**
   * Ids are time * ID_PER_MS plus the event's order within its millisecond: the next id after the
   * largest for an event of the latest millisecond or a newer one (no query), the next free one in
   * its millisecond for an older event (a clock set back). More than ID_PER_MS events in one
   * millisecond carry on into the next one's ids.
   */
  #insertEvent(time: number, values: Array<string | number | null>): void {
    const base = time * ID_PER_MS;
    let id = base > this.#lastId ? base : base >= this.#lastId - (this.#lastId % ID_PER_MS) ? this.#lastId + 1 : this.#nextInMs(base);
    for (;;) {
      try {
        this.#insert.run(id, ...values);
        break;
      } catch (error) {
        if ((error as { errcode?: number }).errcode !== SQLITE_CONSTRAINT_PRIMARYKEY) throw error;
        id++;
      }
    }
    if (id > this.#lastId) this.#lastId = id;
  }

  #nextInMs(base: number): number {
    const last = (this.#lastInMs.get(base, base + ID_PER_MS) as { id: number | null }).id;
    return last === null ? base : last + 1;
  }
}

/** SQLite's extended code for a duplicate primary key. */
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

/** One row of the hourly counts, as a batch adds to it. */
interface HourCount {
  readonly dim: number;
  readonly hour: number;
  readonly key: string;
  n: number;
}

/** Adds one block to the hour's counts: all, by name, client, list and group. */
function countBlock(counts: Map<string, HourCount>, hour: number, batch: readonly unknown[], at: number): void {
  const add = (dim: number, value: unknown): void => {
    const key = String(value);
    // dim and hour hold no "|": what follows the second one is the key, whatever it holds.
    const id = `${dim}|${hour}|${key}`;
    const count = counts.get(id);
    if (count === undefined) counts.set(id, { dim, hour, key, n: 1 });
    else count.n++;
  };
  add(DIM.total, '');
  add(DIM.name, String(batch[at + AT.qname]).toLowerCase());
  add(DIM.client, batch[at + AT.client]);
  add(DIM.list, batch[at + AT.list]);
  add(DIM.group, batch[at + AT.group]);
}
