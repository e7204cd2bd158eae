import { metrics } from './stopzone-log.js';

/**
 * What Stopzone kept of its block records during a run, from its /metrics: block-log lines dropped, event-store
 * events written and dropped. Both drop rather than delay an answer (bounded queues); at capacity on one CPU the
 * answering thread leaves their low-priority writers little time, so a run's figures say how much was kept.
 */
export interface BlockRecords {
  readonly logDropped: number;
  readonly storeWritten: number;
  readonly storeDropped: number;
  /** Events waiting in the store's queue at the reading (a gauge: between two readings, the later one's). */
  readonly storeQueued: number;
}

const NAMES = {
  logDropped: 'stopzone_block_log_dropped_total',
  storeWritten: 'stopzone_store_events_written_total',
  storeDropped: 'stopzone_store_events_dropped_total',
  storeQueued: 'stopzone_store_queue_events',
} as const;

/** The counters now, from the admin listener at `admin` ("127.0.0.1:port"; loopback only, as every benchmark). */
export async function blockRecords(admin: string): Promise<BlockRecords> {
  if (!/^127\.|^\[::1\]/.test(admin)) throw new Error(`blockRecords: ${admin} is not on loopback`);
  const values = await metrics(admin, Object.values(NAMES));
  const read = (name: string): number => {
    const value = values[name as keyof typeof values];
    if (value === null) throw new Error(`blockRecords: ${name} is not in ${admin}'s /metrics`);
    return value;
  };
  return { logDropped: read(NAMES.logDropped), storeWritten: read(NAMES.storeWritten), storeDropped: read(NAMES.storeDropped), storeQueued: read(NAMES.storeQueued) };
}

/** The counts between two readings (the queue: as at the later one). */
export function recordsBetween(before: BlockRecords, after: BlockRecords): BlockRecords {
  return { logDropped: after.logDropped - before.logDropped, storeWritten: after.storeWritten - before.storeWritten, storeDropped: after.storeDropped - before.storeDropped, storeQueued: after.storeQueued };
}

/** "block log dropped 0; event store wrote 30,000, dropped 0, 250 still queued". */
export function recordsText(records: BlockRecords): string {
  const count = (n: number): string => n.toLocaleString('en');
  return `block log dropped ${count(records.logDropped)}; event store wrote ${count(records.storeWritten)}, dropped ${count(records.storeDropped)}, ${count(records.storeQueued)} still queued`;
}
