// src/store/event-store.ts (A)
export interface StoredEvent { id: number; time: number /* ms */; msg: 'blocked' | 'would block' | 'passthru' | 'query';
  ref: string; client: string; qname: string; qtype: string; zone: string; list: string; rule: string;
  trigger: string; action: string; group: string; ede: number | null; transport: 'udp' | 'tcp'; listener: string }
export interface EventFilter { name?: string /* substring, case-insensitive */; client?: string; list?: string;
  zone?: string; group?: string; action?: string; ref?: string; from?: number; to?: number /* ms */;
  limit?: number /* default 50, max 500 */; before?: number /* id cursor: events with id < before */ }
export interface EventPage { events: StoredEvent[]; next: number | null }
export interface Dashboard { hours24: Array<{ hour: number; count: number }>; days7: Array<{ hour: number; count: number }>;
  topNames: Array<{ name: string; count: number }>; topClients: Array<{ client: string; count: number }>;
  perList: Array<{ list: string; count: number }>; perGroup: Array<{ group: string; count: number }> }
export interface EventStore {
  record(event: Omit<StoredEvent, 'id'>): void;          // never blocks, never throws; drops when the queue is full
  search(filter: EventFilter): EventPage;
  csv(filter: EventFilter): Iterable<string>;             // header line then one line per event, newest first
  dashboard(now: number): Dashboard;
  readonly stats: { written: number; dropped: number; queued: number; failing: string | null };
  close(): Promise<void>;                                 // flushes the queue
}
