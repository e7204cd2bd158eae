import type { ReportData, TopList } from './tally.js';

/** Hours the chart shows at most: the last ones of the data. */
export const CHART_HOURS = 48;
/** Width of the longest bar. */
const BAR = 40;
const HOUR = 3_600_000;

/** The report for a terminal: totals, top lists, per-zone, per-group, per-action and per-trigger counts, and an hourly bar chart. */
export function renderText(data: ReportData, top = 10): string {
  const { totals, span } = data;
  const out: string[] = [];
  out.push(span === null ? 'Block log report: no block events' : `Block log report: ${when(span.first)} to ${when(span.last)} (${duration(Date.parse(span.last) - Date.parse(span.first))})`);
  out.push('', 'Totals');
  const rows: Array<[string, number]> = [
    ['blocked', totals.blocked],
    ['would block', totals.wouldBlock],
    ['passthru', totals.passthru],
  ];
  out.push(...table(rows.map(([k, n]) => [k, num(n)])));
  out.push(`  ${num(totals.skipped)} of ${num(totals.lines)} lines were not block events`);
  if (totals.filteredOut > 0) out.push(`  ${num(totals.filteredOut)} events were outside the filters`);
  out.push('', ...topSection(`Top ${top} blocked names`, 'names', data.names));
  out.push('', ...topSection(`Top ${top} clients`, 'clients', data.clients));
  out.push('', 'Blocks per zone');
  const wouldBlock = data.zones.some((z) => z.wouldBlock > 0);
  const zoneRows = data.zones.map((z) => [clean(z.zone), clean(z.list), num(z.blocked), ...(wouldBlock ? [num(z.wouldBlock)] : [])]);
  out.push(...(zoneRows.length === 0 ? ['  none'] : table([['zone', 'list', 'blocked', ...(wouldBlock ? ['would block'] : [])], ...zoneRows])));
  out.push('', 'Blocks per group');
  const groupWouldBlock = data.groups.some((g) => g.wouldBlock > 0);
  const groupRows = data.groups.map((g) => [clean(g.group), num(g.blocked), ...(groupWouldBlock ? [num(g.wouldBlock)] : [])]);
  out.push(...(groupRows.length === 0 ? ['  none'] : table([['group', 'blocked', ...(groupWouldBlock ? ['would block'] : [])], ...groupRows])));
  out.push('', 'Blocks per action', ...counts(data.actions));
  out.push('', 'Blocks per trigger', ...counts(data.triggers));
  out.push('', ...chart(data.hours));
  return `${out.join('\n')}\n`;
}

function topSection(title: string, what: string, list: TopList): string[] {
  if (list.top.length === 0) return [title, '  none'];
  const head = list.exact ? `${title} (of ${num(list.distinct)} distinct)` : `${title} (of more than ${num(list.distinct)} distinct ${what})`;
  const lines = [head, ...table(list.top.map((h) => [`${h.overcount > 0 ? '~' : ''}${num(h.count)}`, clean(h.key)]), [true, false])];
  const worst = Math.max(...list.top.map((h) => h.overcount));
  if (worst > 0) lines.push(`  ~ estimate: too many distinct ${what} to count each one; such a count may be up to ${num(worst)} too high`);
  else if (!list.exact) lines.push(`  too many distinct ${what} to count each one, but the counts above are exact`);
  return lines;
}

function counts(rows: ReadonlyArray<{ key: string; count: number }>): string[] {
  return rows.length === 0 ? ['  none'] : table(rows.map((r) => [clean(r.key) || '(none)', num(r.count)]));
}

/** One line per hour for the last CHART_HOURS hours up to the last block, empty hours included. */
function chart(hours: ReadonlyArray<{ hour: string; count: number }>): string[] {
  const last = hours.at(-1);
  if (last === undefined) return ['Blocks per hour (UTC)', '  none'];
  const end = Date.parse(last.hour);
  const byHour = new Map(hours.map((h) => [Date.parse(h.hour), h.count]));
  const first = Math.max(Date.parse(hours[0]!.hour), end - (CHART_HOURS - 1) * HOUR);
  const shown: Array<[number, number]> = [];
  for (let t = first; t <= end; t += HOUR) shown.push([t, byHour.get(t) ?? 0]);
  const max = Math.max(...shown.map(([, n]) => n));
  const width = num(max).length;
  const title = first > Date.parse(hours[0]!.hour) ? `Blocks per hour (UTC, the last ${CHART_HOURS} hours of the data)` : 'Blocks per hour (UTC)';
  return [
    title,
    ...shown.map(([t, n]) => {
      const bar = n === 0 ? '' : '#'.repeat(Math.max(1, Math.round((n / max) * BAR)));
      return `  ${new Date(t).toISOString().slice(0, 16).replace('T', ' ')}  ${bar.padEnd(BAR)}  ${num(n).padStart(width)}`;
    }),
  ];
}

/** Left-aligned columns, numbers (or the columns flagged in `right`) right-aligned, two spaces of indent. */
function table(rows: string[][], right?: boolean[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => ((right?.[i] ?? /^~?[\d,]+$/.test(cell)) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()}`);
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function when(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')}Z`;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

/** Names and clients come from the network: control and bidi characters are shown escaped, never sent to the terminal. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
