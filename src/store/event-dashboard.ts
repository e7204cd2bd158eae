import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Dashboard } from './event-store.js';
import { prepared } from './event-search.js';
import { DIM } from './store-schema.js';

const HOUR_MS = 3_600_000;

/** Names and clients in the top lists. */
const TOP = 10;

/** Lists and groups shown at most (they come from the config, so there are few). */
const PER = 100;

/**
 * The dashboard's numbers, read from the hourly counts (never from the events, so its cost does
 * not grow with the events kept): blocks per hour for the last 24 hours and 7 days, and the
 * largest counts of the last 24 hours by name, client, list and group.
 */
export function readDashboard(db: DatabaseSync, statements: Map<string, StatementSync>, now: number): Dashboard {
  const hour = Math.floor(now / HOUR_MS);
  const series = (hours: number): Array<{ hour: number; count: number }> => {
    const first = hour - hours + 1;
    const counts = new Map<number, number>();
    const rows = prepared(db, statements, 'SELECT hour, n FROM hourly WHERE dim = ? AND hour >= ? AND hour <= ?').all(DIM.total, first, hour) as Array<{ hour: number; n: number }>;
    for (const row of rows) counts.set(row.hour, row.n);
    return Array.from({ length: hours }, (_, i) => ({ hour: (first + i) * HOUR_MS, count: counts.get(first + i) ?? 0 }));
  };
  const top = (dim: number, limit: number): Array<{ key: string; count: number }> =>
    prepared(db, statements, 'SELECT key, sum(n) AS count FROM hourly WHERE dim = ? AND hour >= ? AND hour <= ? GROUP BY key ORDER BY count DESC, key LIMIT ?').all(dim, hour - 23, hour, limit) as Array<{ key: string; count: number }>;
  return {
    hours24: series(24),
    days7: series(24 * 7),
    topNames: top(DIM.name, TOP).map(({ key, count }) => ({ name: key, count })),
    topClients: top(DIM.client, TOP).map(({ key, count }) => ({ client: key, count })),
    perList: top(DIM.list, PER).map(({ key, count }) => ({ list: key, count })),
    perGroup: top(DIM.group, PER).map(({ key, count }) => ({ group: key, count })),
  };
}
