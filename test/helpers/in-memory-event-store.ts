import type { Dashboard, EventFilter, EventPage, EventStore, StoredEvent } from '../../src/store/event-store.js';

const HOUR = 3_600_000;

/**
 * An IN-MEMORY EventStore for the console's route tests: the interface of src/store/event-store.ts over an
 * array, nothing more (no SQLite, no queue, no retention). The console's API is tested against it until the
 * real store (part A of issue 20) is merged; then those tests can take the real one.
 */
export class InMemoryEventStore implements EventStore {
  readonly events: StoredEvent[] = [];
  readonly stats = { written: 0, dropped: 0, queued: 0, failing: null };
  #nextId = 1;

  record(event: Omit<StoredEvent, 'id'>): void {
    this.events.push({ ...event, id: this.#nextId++ });
    this.stats.written++;
  }

  search(filter: EventFilter): EventPage {
    const limit = Math.min(500, filter.limit ?? 50);
    const found = this.#matching(filter);
    const events = found.slice(0, limit);
    return { events, next: found.length > limit ? events.at(-1)!.id : null };
  }

  *csv(filter: EventFilter): Iterable<string> {
    const columns = ['time', 'ref', 'client', 'qname', 'qtype', 'zone', 'list', 'rule', 'trigger', 'action', 'group'] as const;
    yield columns.join(',');
    for (const event of this.#matching({ ...filter, limit: Infinity })) {
      yield columns.map((column) => quote(column === 'time' ? new Date(event.time).toISOString() : String(event[column]))).join(',');
    }
  }

  dashboard(now: number): Dashboard {
    const perHour = (hours: number) => Array.from({ length: hours }, (_, i) => {
      const hour = Math.floor(now / HOUR) * HOUR - (hours - 1 - i) * HOUR;
      return { hour, count: this.events.filter((event) => event.time >= hour && event.time < hour + HOUR).length };
    });
    const top = <K extends string>(key: 'qname' | 'client' | 'list' | 'group', as: K) => {
      const counts = new Map<string, number>();
      for (const event of this.events) counts.set(event[key], (counts.get(event[key]) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([value, count]) => ({ [as]: value, count }) as Record<K, string> & { count: number });
    };
    return { hours24: perHour(24), days7: perHour(168), topNames: top('qname', 'name'), topClients: top('client', 'client'), perList: top('list', 'list'), perGroup: top('group', 'group') };
  }

  async close(): Promise<void> {}

  #matching(filter: EventFilter): StoredEvent[] {
    const name = filter.name?.toLowerCase();
    const exact = (['client', 'list', 'zone', 'group', 'action', 'ref'] as const).filter((key) => filter[key] !== undefined);
    return this.events
      .filter((event) => name === undefined || event.qname.toLowerCase().includes(name))
      .filter((event) => exact.every((key) => event[key] === filter[key]))
      .filter((event) => (filter.from === undefined || event.time >= filter.from) && (filter.to === undefined || event.time <= filter.to) && (filter.before === undefined || event.id < filter.before))
      .reverse();
  }
}

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
