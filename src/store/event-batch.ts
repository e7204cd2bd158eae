import type { StoredEvent } from './event-store.js';

/**
 * Events cross to the writing thread as one flat array, FIELDS values per
 * event in this order: one structured clone of strings and numbers, with no
 * object per event kept while it waits.
 */
export const FIELDS = 15;

/** Appends the fields of one event, which happened at `time` (epoch ms), to `batch`. */
export function appendEvent(batch: unknown[], event: Omit<StoredEvent, 'id' | 'time'>, time: number): void {
  batch.push(
    time,
    event.msg,
    event.ref,
    event.client,
    event.qname,
    event.qtype,
    event.zone,
    event.list,
    event.rule,
    event.trigger,
    event.action,
    event.group,
    event.ede,
    event.transport,
    event.listener,
  );
}

/** Offsets of the fields within one event's slice of a batch. */
export const AT = {
  time: 0,
  msg: 1,
  ref: 2,
  client: 3,
  qname: 4,
  qtype: 5,
  zone: 6,
  list: 7,
  rule: 8,
  trigger: 9,
  action: 10,
  group: 11,
  ede: 12,
  transport: 13,
  listener: 14,
} as const;
