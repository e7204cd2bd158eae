// The dashboard: blocks per hour (24 h, 7 days) as bar charts, the top names, clients, lists and groups,
// and each policy zone's state, from GET /api/dashboard.
import uPlot from './vendor/uPlot.esm.js';
import { api, startPage, withQuery } from './api.js';
import { countTable, el, formatCount, formatSpan, formatTime, showError, table } from './dom.js';

const status = document.getElementById('status');
const WHOLE_STEPS = [1, 2, 5].flatMap((n) => [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000].map((m) => n * m)).sort((a, b) => a - b);

try {
  await startPage();
  const board = await api('/api/dashboard');
  const now = Date.now();
  chart('chart-24h', 'summary-24h', everyHour(board.hours24, now, 24), 'in the last 24 hours');
  chart('chart-7d', 'summary-7d', everyHour(board.days7, now, 168), 'in the last 7 days');
  const logLink = (key) => (value) => withQuery('/log', { [key]: value });
  document.getElementById('top-names').replaceChildren(countTable('Name', board.topNames, 'name', logLink('name')));
  document.getElementById('top-clients').replaceChildren(countTable('Client', board.topClients, 'client', logLink('client')));
  document.getElementById('per-list').replaceChildren(countTable('List', board.perList, 'list', logLink('list')));
  document.getElementById('per-group').replaceChildren(countTable('Group', board.perGroup, 'group', logLink('group')));
  document.getElementById('zones').replaceChildren(zoneTable(board.zones ?? [], now));
} catch (error) {
  showError(status, error);
}

/** The `count` hours up to the current one, each with its blocks (0 for an hour the API left out). */
function everyHour(points, now, count) {
  const HOUR = 3_600_000;
  const byHour = new Map(points.map((p) => [p.hour, p.count]));
  const last = Math.floor(now / HOUR) * HOUR;
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * HOUR).map((hour) => ({ hour, count: byHour.get(hour) ?? 0 }));
}

/** A bar per hour; `hour` is the start of the hour in ms since the epoch, as the events' `time`. */
function chart(id, summaryId, hours, span) {
  const container = document.getElementById(id);
  const xs = hours.map((h) => h.hour / 1000);
  const ys = hours.map((h) => h.count);
  const total = ys.reduce((a, b) => a + b, 0);
  const busiest = hours.reduce((best, h) => (best === null || h.count > best.count ? h : best), null);
  document.getElementById(summaryId).textContent =
    total === 0 ? `No blocks ${span}.` : `${formatCount(total)} ${total === 1 ? 'block' : 'blocks'} ${span}; the busiest hour began ${formatTime(busiest.hour).slice(0, 16)} with ${formatCount(busiest.count)}.`;
  container.setAttribute('aria-label', `Blocks per hour ${span}: ${formatCount(total)} in all`);
  container.setAttribute('role', 'img');
  const options = {
    width: Math.max(240, container.clientWidth),
    height: 200,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    // Each bar starts at its hour (align 1) and spans it, so the scale ends an hour after the last bar's start.
    scales: { x: { time: true, range: (_u, min, max) => [min, max + 3600] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    series: [{}, { label: 'Blocks', stroke: '#b91c1c', fill: 'rgba(185, 28, 28, 0.6)', width: 1, points: { show: false }, paths: uPlot.paths.bars({ size: [0.85, 40], align: 1 }) }],
    axes: [
      { stroke: '#52606d', grid: { stroke: '#e4e7eb' }, ticks: { stroke: '#d9e2ec' } },
      // Counts are whole: ticks at 1, 2, 5, 10, 20, 50, ... never 0.25.
      { stroke: '#52606d', grid: { stroke: '#e4e7eb' }, ticks: { stroke: '#d9e2ec' }, size: 48, incrs: WHOLE_STEPS },
    ],
  };
  const plot = new uPlot(options, [xs, ys], container);
  new ResizeObserver(() => {
    const width = Math.max(240, container.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: 200 });
  }).observe(container);
}

/** Each policy zone: where it comes from, its serial and rules, when it last loaded, and whether it is failing or expired. */
function zoneTable(zones, now) {
  return table(
    [
      { label: 'Zone', cell: (z) => el('strong', {}, z.name) },
      { label: 'Source', cell: (z) => `${z.kind}: ${z.source}` },
      { label: 'Serial', cell: (z) => z.serial ?? '—' },
      { label: 'Rules', num: true, cell: (z) => formatCount(z.rules) },
      { label: 'Last load', cell: (z) => (z.lastSuccess === null ? 'never' : `${formatTime(z.lastSuccess)} (${formatSpan(z.lastSuccess - now)})`) },
      { label: 'State', cell: (z) => zoneState(z) },
      { label: 'Next refresh', cell: (z) => (z.nextAttempt === null || z.nextAttempt === undefined ? '—' : formatSpan(z.nextAttempt - now)) },
    ],
    zones,
    { empty: 'No policy zone is configured: every name is forwarded unfiltered.' },
  );
}

function zoneState(zone) {
  const badges = [];
  if (zone.lastError !== null) badges.push(el('span', { class: 'badge failing', title: zone.lastError }, 'failing'), ' ', zone.lastError);
  if (zone.expired) badges.push(' ', el('span', { class: 'badge expired' }, 'expired'));
  if (zone.lastSuccess === null && zone.lastError === null) badges.push(el('span', { class: 'badge paused' }, 'not loaded yet'));
  return badges.length === 0 ? el('span', { class: 'badge ok' }, 'ok') : el('span', {}, badges);
}
