import { Counter, Gauge, type Registry } from 'prom-client';

/** What the event store's metrics read at scrape time (null: the store is off, every value 0). */
export type StoreCounts = () => { readonly written: number; readonly dropped: number; readonly queued: number; readonly failing: string | null } | null;

/** The event store's counts since start: events written, dropped, waiting, and whether its file is failing. */
export function storeMetrics(registers: Registry[], counts: StoreCounts): void {
  const counter = (name: string, help: string, read: (c: NonNullable<ReturnType<StoreCounts>>) => number): void => {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        const c = counts();
        this.inc(c === null ? 0 : read(c));
      },
    });
  };
  counter('stopzone_store_events_written_total', 'Events written to the event store (store.file).', (c) => c.written);
  counter('stopzone_store_events_dropped_total', 'Events the event store dropped: its queue was full (store.queueLimit), SQLite refused them, or they were still waiting at shutdown while the file was failing.', (c) => c.dropped);
  new Gauge({ name: 'stopzone_store_queue_events', help: 'Events waiting to be written to the event store.', registers, collect() { this.set(counts()?.queued ?? 0); } });
  new Gauge({
    name: 'stopzone_store_failing',
    help: '1 while the event store cannot open or write its file (locked, damaged, disk full: the log says which); events then wait in the queue up to store.queueLimit.',
    registers,
    collect() {
      this.set(counts()?.failing == null ? 0 : 1);
    },
  });
}
