// Rules written from the console (allow and block, each removable) and paused lists with the time each
// pause has left, from /api/rules and /api/pauses.
import { api, startPage } from './api.js';
import { el, field, formatSpan, formatTime, showError, table } from './dom.js';
import { changeRule } from './rule-actions.js';

const status = document.getElementById('status');
const ruleForm = document.getElementById('rule-form');
const pauseForm = document.getElementById('pause-form');
let pauses = [];

async function loadRules() {
  const rules = await api('/api/rules');
  document.getElementById('rules').replaceChildren(
    table(
      [
        { label: 'Name', cell: (r) => el('span', { class: 'mono' }, r.name) },
        { label: 'Action', cell: (r) => el('span', { class: `badge ${r.action === 'allow' ? 'allowed' : 'blocked'}` }, r.action) },
        { label: 'Zone', cell: (r) => r.zone },
        { label: 'Added', cell: (r) => [r.time === undefined ? '' : formatTime(r.time), r.who ? ` by ${r.who}` : ''].join('') || '—' },
        { label: 'Reason', cell: (r) => r.reason ?? '' },
        { label: '', cell: (r) => removeButton(`/api/rules/${encodeURIComponent(r.id)}`, 'Remove', loadRules) },
      ],
      rules,
      { empty: 'No rule has been added in the console.' },
    ),
  );
}

async function loadPauses() {
  pauses = await api('/api/pauses');
  document.getElementById('pauses').replaceChildren(
    table(
      [
        { label: 'Zone', cell: (p) => p.zone },
        { label: 'Group', cell: (p) => p.group },
        { label: 'Until', cell: (p) => formatTime(p.until) },
        { label: 'Remaining', cell: (p) => el('span', { class: 'remaining', 'data-until': p.until }, remaining(p.until)) },
        { label: 'Reason', cell: (p) => p.reason ?? '' },
        { label: '', cell: (p) => removeButton(`/api/pauses/${encodeURIComponent(p.id)}`, 'End now', loadPauses) },
      ],
      pauses,
      { empty: 'No list is paused.' },
    ),
  );
}

function remaining(until) {
  const left = until - Date.now();
  return left <= 0 ? 'ended' : formatSpan(left).replace(/^in /, '');
}

function removeButton(path, label, reload) {
  const button = el('button', { type: 'button', class: 'quiet admin-only' }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api(path, { method: 'DELETE' });
      await reload();
    } catch (error) {
      button.disabled = false;
      showError(status, error);
    }
  });
  return button;
}

ruleForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = field(ruleForm, 'name');
  await changeRule({ name, action: field(ruleForm, 'action'), reason: field(ruleForm, 'reason'), status: document.getElementById('rule-status'), changed: loadRules });
});

pauseForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError(status, null);
  try {
    await api('/api/pauses', { method: 'POST', body: { zone: field(pauseForm, 'zone'), group: field(pauseForm, 'group'), minutes: Number(field(pauseForm, 'minutes')), reason: field(pauseForm, 'reason') } });
    await loadPauses();
  } catch (error) {
    showError(status, error);
  }
});

try {
  await startPage();
  await Promise.all([loadRules(), loadPauses()]);
  // The zone names for the pause form, from the dashboard's zone states.
  const board = await api('/api/dashboard');
  document.getElementById('zone-names').replaceChildren(...(board.zones ?? []).map((z) => el('option', { value: z.name })));
  // Counts each pause down; a pause that has ended is dropped from the list by the server, so reload then.
  setInterval(() => {
    for (const node of document.querySelectorAll('.remaining')) node.textContent = remaining(Number(node.dataset.until));
    if (pauses.some((p) => p.until <= Date.now())) loadPauses().catch((error) => showError(status, error));
  }, 1000);
} catch (error) {
  showError(status, error);
}
