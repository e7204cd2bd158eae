import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { BlockLogTap } from '../observe/block-log.js';
import { SqliteEventStore } from './sqlite-event-store.js';

/**
 * The event store the config asks for (store.*), or null when store.enabled
 * is false, with the tap that hands it the block log's events. It starts
 * opening its file in the background: a file that cannot be opened is
 * reported, never a reason not to start.
 */
export function openEventStore(config: Config['store'], log: Logger, now: () => number): { store: SqliteEventStore; tap: BlockLogTap } | null {
  if (!config.enabled) return null;
  const store = new SqliteEventStore({ file: config.file, retentionDays: config.retentionDays, queueLimit: config.queueLimit, log, now });
  return { store, tap: { event: (event, time) => store.recordAt(event, time), allQueries: config.allQueries } };
}
