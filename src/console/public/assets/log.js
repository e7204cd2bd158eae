// The block log: search by reference code, name (substring), client, list, group, action and time range,
// page through with the id cursor (`before`), export the same search as CSV; allow a name in one click.
import { api, startPage, withQuery } from './api.js';
import { el, field, formatTime, showError, table } from './dom.js';
import { changeRule } from './rule-actions.js';

const form = document.getElementById('search');
const status = document.getElementById('status');
const results = document.getElementById('results');
const older = document.getElementById('older');
const newer = document.getElementById('newer');
const TEXT_FIELDS = ['ref', 'name', 'client', 'list', 'group', 'action'];
/** The badge colour of each kind of event: blocked, logged only (a zone in log-only mode), let through, any query. */
const BADGES = { blocked: 'blocked', 'would block': 'rewritten', passthru: 'passthru', query: '' };
let filters = {};
let cursors = []; // the `before` of each page shown so far; the last is this page's
let next = null;

/**
 * A reference code as typed from a phone photo: spaces and dashes dropped, upper case, and the letters that
 * Crockford base32 leaves out read as the digits they look like (O as 0, I and L as 1).
 */
function normaliseRef(text) {
  return text.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}

function fromUrl() {
  const params = new URLSearchParams(location.search);
  for (const name of TEXT_FIELDS) if (params.has(name)) form.elements[name].value = params.get(name);
  for (const name of ['from', 'to']) if (params.has(name)) form.elements[name].value = localInput(Number(params.get(name)));
}

function readForm() {
  const read = {};
  for (const name of TEXT_FIELDS) read[name] = field(form, name);
  read.ref = normaliseRef(read.ref);
  form.elements.ref.value = read.ref;
  for (const name of ['from', 'to']) {
    const value = field(form, name);
    read[name] = value === '' ? '' : new Date(value).getTime();
  }
  return read;
}

async function show(before) {
  showError(status, null);
  let page;
  try {
    page = await api(withQuery('/api/events', { ...filters, before }));
  } catch (error) {
    results.replaceChildren();
    showError(status, error);
    return;
  }
  next = page.next;
  results.replaceChildren(eventTable(page.events));
  older.disabled = next === null;
  newer.disabled = cursors.length <= 1;
  document.getElementById('page-info').textContent = page.events.length === 0 ? '' : `page ${cursors.length}, ${page.events.length} ${page.events.length === 1 ? 'event' : 'events'}`;
}

function eventTable(events) {
  return table(
    [
      { label: 'Time', cell: (e) => formatTime(e.time) },
      { label: 'Ref', cell: (e) => el('span', { class: 'ref' }, e.ref) },
      { label: 'Client', cell: (e) => e.client },
      { label: 'Name', cell: (e) => el('span', {}, el('span', { class: 'mono qname' }, e.qname), ' ', el('span', { class: 'muted' }, e.qtype)) },
      { label: 'List', cell: (e) => e.list },
      { label: 'Group', cell: (e) => e.group },
      { label: 'Action', cell: (e) => el('span', { class: 'nowrap' }, el('span', { class: `badge ${BADGES[e.msg] ?? ''}` }, e.msg), ' ', e.action) },
      { label: 'Rule', cell: (e) => `${e.rule} (${e.trigger})` },
      { label: '', cell: (e) => rowActions(e) },
    ],
    events,
    { empty: 'No event matches this search.' },
  );
}

function rowActions(event) {
  const why = el('a', { class: 'button quiet', href: withQuery('/why', { name: event.qname, group: event.group, type: event.qtype }) }, 'Why');
  const allow = el('button', { type: 'button', class: 'allow admin-only' }, 'Allow');
  allow.addEventListener('click', () => changeRule({ name: event.qname, action: 'allow', reason: `allowed from the block log (ref ${event.ref})`, status }));
  return el('span', { class: 'row-actions' }, why, allow);
}

/** A datetime-local input's value for a time in ms, in the browser's time zone. */
function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function search() {
  filters = readForm();
  cursors = [undefined];
  const shown = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== ''));
  history.replaceState(null, '', withQuery('/log', shown));
  document.getElementById('csv').href = withQuery('/api/events.csv', filters);
  return show(undefined);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  search();
});
form.addEventListener('reset', () => setTimeout(search));
older.addEventListener('click', () => {
  cursors.push(next);
  show(next);
});
newer.addEventListener('click', () => {
  cursors.pop();
  show(cursors.at(-1));
});

try {
  await startPage();
  fromUrl();
  await search();
} catch (error) {
  showError(status, error);
}
