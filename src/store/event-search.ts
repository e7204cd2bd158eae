import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EventFilter, EventPage, StoredEvent } from './event-store.js';
import { ID_PER_MS } from './store-schema.js';

/** Page sizes: the default and the most one page holds. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** A part of a name matching up to this many distinct names is looked up by the name index; more, by reading the events. */
const NAMES_BY_INDEX = 200;

/** The first span of time searched, before it doubles: a minute of events. */
const FIRST_SPAN = 60_000 * ID_PER_MS;

const COLUMNS = `e.id AS id, f.msg AS msg, e.ref AS ref, e.client AS client, e.qname AS qname, e.qtype AS qtype, f.zone AS zone, f.list AS list,
  coalesce(e.rule, e.qname) AS rule, f.trigger AS trigger, f.action AS action, f.grp AS "group", e.ede AS ede, f.transport AS transport, f.listener AS listener`;

/** How long a search may hold the thread, and the clock it is measured with. */
export interface SearchBudget {
  readonly ms: number;
  readonly clock: () => number;
}

/**
 * Searches newest first. Events are read a span of time at a time, from the cursor down, the span
 * doubling from a minute: a name or client with few events is found through its index in every
 * span, a common one in the first spans. Between spans the budget is checked: past it, the page
 * returns what it found with the cursor where it stopped, so that no search holds the thread that
 * answers queries for long whatever it asks.
 */
export function searchEvents(db: DatabaseSync, statements: Map<string, StatementSync>, filter: EventFilter, budget: SearchBudget): EventPage {
  const started = budget.clock();
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(finite(filter.limit) ?? DEFAULT_LIMIT)));
  const where = conditions(db, statements, filter);
  if (where === null) return { events: [], next: null };
  const newest = (prepared(db, statements, 'SELECT max(id) AS id FROM events').get() as { id: number | null }).id;
  const oldest = (prepared(db, statements, 'SELECT min(id) AS id FROM events').get() as { id: number | null }).id;
  if (newest === null || oldest === null) return { events: [], next: null };
  const [before, from, to] = [finite(filter.before), finite(filter.from), finite(filter.to)];
  let upper = Math.min(newest + 1, before ?? Infinity, to === undefined ? Infinity : to * ID_PER_MS);
  const bottom = Math.max(oldest, from === undefined ? -Infinity : from * ID_PER_MS);
  const sql = `SELECT ${COLUMNS} FROM events e JOIN facets f ON f.id = e.facet WHERE e.id < ? AND e.id >= ?${where.sql} ORDER BY e.id DESC LIMIT ?`;
  const statement = prepared(db, statements, sql);
  const events: StoredEvent[] = [];
  for (let span = FIRST_SPAN; upper > bottom; span *= 2) {
    const lower = Math.max(bottom, upper - span);
    for (const row of statement.all(upper, lower, ...where.values, limit + 1 - events.length) as unknown as Row[]) events.push(toEvent(row));
    if (events.length > limit) {
      events.length = limit;
      return { events, next: events[limit - 1]!.id };
    }
    upper = lower;
    if (upper > bottom && budget.clock() - started > budget.ms) return { events, next: upper };
  }
  return { events, next: null };
}

/** A number the filter gives, or undefined for none (or for a value that is not a finite number). */
function finite(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

type Row = Omit<StoredEvent, 'time'>;

function toEvent({ id, ...rest }: Row): StoredEvent {
  return { id, time: Math.floor(id / ID_PER_MS), ...rest };
}

/**
 * The filter's conditions beyond the span, with their values; null when it cannot match (no
 * stored name holds the part asked for). Parts of names match in any letter case (RFC 4343):
 * names are kept as asked, and the matching spellings looked up by the name index.
 */
function conditions(db: DatabaseSync, statements: Map<string, StatementSync>, filter: EventFilter): { sql: string; values: Array<string | number> } | null {
  let sql = '';
  const values: Array<string | number> = [];
  if (filter.name !== undefined && filter.name !== '') {
    const part = filter.name.toLowerCase();
    const names = prepared(db, statements, 'SELECT name FROM names WHERE instr(lower(name), ?) > 0 LIMIT ?').all(part, NAMES_BY_INDEX + 1) as Array<{ name: string }>;
    if (names.length === 0) return null;
    if (names.length <= NAMES_BY_INDEX) {
      sql += ' AND e.qname IN (SELECT value FROM json_each(?))';
      values.push(JSON.stringify(names.map((row) => row.name)));
    } else {
      sql += ' AND instr(lower(e.qname), ?) > 0';
      values.push(part);
    }
  }
  if (filter.ref !== undefined) {
    sql += ' AND e.ref = ?';
    values.push(normalRef(filter.ref));
  }
  if (filter.client !== undefined) {
    sql += ' AND e.client = ?';
    values.push(filter.client);
  }
  const facets: string[] = [];
  for (const [key, column] of [['list', 'list'], ['zone', 'zone'], ['group', 'grp'], ['action', 'action']] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    facets.push(`${column} = ?`);
    values.push(value);
  }
  if (facets.length > 0) sql += ` AND e.facet IN (SELECT id FROM facets WHERE ${facets.join(' AND ')})`;
  return { sql, values };
}

/** A reference code as typed from a screen: in capitals, with O read as 0 and I, L as 1 (Crockford's base32 has none of them). */
export function normalRef(text: string): string {
  return text.trim().toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** One prepared statement per text, kept with the connection. */
export function prepared(db: DatabaseSync, statements: Map<string, StatementSync>, sql: string): StatementSync {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}
