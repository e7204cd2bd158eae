// Building the console's DOM from data: every value goes in as a text node (never as HTML), so a name
// like "<script>.example" shows as those characters.

/** An element with attributes and children; strings and numbers become text nodes, null and undefined are skipped. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * A table: `columns` are { label, cell(row) -> string | Node, num? }. Each cell carries its column's name
 * (data-label) for the phone layout, where each row of a wide table (`cards`) becomes a card.
 */
export function table(columns, rows, { empty = 'Nothing to show.', rowClass, cards = true } = {}) {
  if (rows.length === 0) return el('p', { class: 'muted' }, empty);
  const head = el('tr', {}, columns.map((c) => el('th', { class: c.num ? 'num' : null, scope: 'col' }, c.label)));
  const body = rows.map((row) => el('tr', { class: rowClass?.(row) ?? null }, columns.map((c) => el('td', { class: c.num ? 'num' : null, 'data-label': c.label }, c.cell(row)))));
  return el('table', { class: cards ? 'cards' : null }, el('thead', {}, head), el('tbody', {}, body));
}

/** The two-column table of a dashboard's top list: [{ key, count }] with the key as text or a link. */
export function countTable(label, rows, key, link) {
  return table(
    [
      { label, cell: (row) => (link ? el('a', { href: link(row[key]) }, row[key]) : row[key]) },
      { label: 'Blocks', num: true, cell: (row) => formatCount(row.count) },
    ],
    rows,
    { empty: 'No blocks yet.', cards: false },
  );
}

/** "2026-03-05 14:07:09" in the browser's time zone. */
export function formatTime(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "3 min ago", "in 2 h 5 min", from a difference in ms. */
export function formatSpan(ms) {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const text = minutes < 1 ? 'under a minute' : minutes < 60 ? `${minutes} min` : minutes < 2880 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.round(minutes / 1440)} days`;
  return ms < 0 ? `${text} ago` : `in ${text}`;
}

/** "12,345" */
export function formatCount(n) {
  return Number(n).toLocaleString('en-US');
}

/** Shows an error (or clears the line with null). */
export function showError(node, error) {
  node.textContent = error === null ? '' : error instanceof Error ? error.message : String(error);
}

/** The value of a form's field, trimmed. */
export function field(form, name) {
  return String(new FormData(form).get(name) ?? '').trim();
}
