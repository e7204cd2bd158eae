import type { EventFilter, EventPage, StoredEvent } from './event-store.js';
import { MAX_LIMIT } from './event-search.js';

/** The most events one export holds (some 150 bytes each): past it the file ends; narrow the search to get the rest. */
export const CSV_MAX_ROWS = 1_000_000;

const COLUMNS = ['id', 'time', 'msg', 'ref', 'client', 'qname', 'qtype', 'zone', 'list', 'rule', 'trigger', 'action', 'group', 'ede', 'transport', 'listener'] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
 * break, its quotes doubled. A text that a spreadsheet would run as a
 * formula (it starts with =, +, -, @, a tab or a carriage return; a query
 * name can) gets a ' in front, as OWASP's "CSV injection" advice says, so
 * that the cell shows the text.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One event as a CSV line (time in ISO 8601, UTC), CRLF at its end. */
export function csvLine(event: StoredEvent): string {
  return `${COLUMNS.map((column) => csvField(column === 'time' ? new Date(event.time).toISOString() : event[column])).join(',')}\r\n`;
}

/**
 * The header, then every event the filter matches, newest first: the first page read now (so that
 * a store that cannot be read throws before a response starts), the others as the lines are taken
 * (the caller streams them); `limit` is ignored, `before` starts the export there, and at most
 * CSV_MAX_ROWS events are written.
 */
export function csvLines(search: (filter: EventFilter) => EventPage, filter: EventFilter): Generator<string> {
  return linesFrom(search, filter, search({ ...filter, limit: MAX_LIMIT }));
}

function* linesFrom(search: (filter: EventFilter) => EventPage, filter: EventFilter, first: EventPage): Generator<string> {
  yield `${COLUMNS.join(',')}\r\n`;
  let rows = 0;
  let page: EventPage | null = first;
  do {
    for (const event of page.events) {
      if (rows++ === CSV_MAX_ROWS) return;
      yield csvLine(event);
    }
    page = page.next === null ? null : search({ ...filter, limit: MAX_LIMIT, before: page.next });
  } while (page !== null);
}
