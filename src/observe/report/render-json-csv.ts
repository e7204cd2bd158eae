import type { ReportData } from './tally.js';

/** The report as one JSON object: the same sections as the text, every hour with blocks, and the input warnings. */
export function renderJson(data: ReportData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** The CSV columns: one table, filtered by `section` in a spreadsheet. */
export const CSV_HEADER = ['section', 'key', 'value', 'list', 'overcount'] as const;

/**
 * The report as CSV (RFC 4180: CRLF, quoted where needed) with the columns
 * of CSV_HEADER. `value` is a count, except in section `span` (first and
 * last event time); `overcount` is how much a top-list count may be too high
 * (0 when exact); `list` is the zone's list name.
 */
export function renderCsv(data: ReportData): string {
  const rows: Array<Array<string | number>> = [[...CSV_HEADER]];
  const { totals } = data;
  rows.push(
    ['totals', 'lines', totals.lines],
    ['totals', 'blocked', totals.blocked],
    ['totals', 'would_block', totals.wouldBlock],
    ['totals', 'passthru', totals.passthru],
    ['totals', 'not_block_events', totals.skipped],
    ['totals', 'outside_filters', totals.filteredOut],
    ['totals', 'distinct_names', data.names.distinct],
    ['totals', 'distinct_clients', data.clients.distinct],
  );
  if (data.span !== null) rows.push(['span', 'first', data.span.first], ['span', 'last', data.span.last]);
  for (const h of data.names.top) rows.push(['names', h.key, h.count, '', h.overcount]);
  for (const h of data.clients.top) rows.push(['clients', h.key, h.count, '', h.overcount]);
  for (const z of data.zones) rows.push(['zones', z.zone, z.blocked, z.list]);
  for (const z of data.zones) if (z.wouldBlock > 0) rows.push(['would_block_zones', z.zone, z.wouldBlock, z.list]);
  for (const g of data.groups) rows.push(['groups', g.group, g.blocked]);
  for (const g of data.groups) if (g.wouldBlock > 0) rows.push(['would_block_groups', g.group, g.wouldBlock]);
  for (const a of data.actions) rows.push(['actions', a.key, a.count]);
  for (const t of data.triggers) rows.push(['triggers', t.key, t.count]);
  for (const h of data.hours) rows.push(['hours', h.hour, h.count]);
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * One CSV field. Text from the log (names, clients) may start with `=`, `+`,
 * `-` or `@`, which spreadsheets run as a formula: such cells get a leading
 * `'` (OWASP, "CSV Injection").
 */
function cell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
