// "Why": what the policy decides now for a name and a client (or group), and the rule behind it, from
// GET /api/why (nothing is sent upstream); then allow or block the name in one click, with undo.
import { api, startPage, withQuery } from './api.js';
import { el, field, showError } from './dom.js';
import { changeRule } from './rule-actions.js';

const form = document.getElementById('why-form');
const change = document.getElementById('change');
const changeStatus = document.getElementById('change-status');
const status = document.getElementById('status');
let shown = null;

const HEADLINES = {
  blocked: (w) => `Blocked for ${w.group}`,
  rewritten: (w) => `Rewritten for ${w.group}: the policy answers with its own data`,
  passthru: (w) => `Let through for ${w.group} by an allow rule`,
  allowed: (w) => `Not blocked for ${w.group}: no rule in force matches, so it is forwarded`,
};

async function ask() {
  const name = field(form, 'name');
  const client = field(form, 'client');
  const query = { name, type: field(form, 'type'), ...(client !== '' ? { client } : { group: field(form, 'group') }) };
  history.replaceState(null, '', withQuery('/why', query));
  showError(status, null);
  try {
    render(await api(withQuery('/api/why', query)));
  } catch (error) {
    document.getElementById('result').hidden = true;
    showError(status, error);
  }
}

function render(why) {
  shown = why;
  const decision = document.getElementById('decision');
  decision.className = `decision ${why.decision}`;
  decision.textContent = `${why.name}: ${(HEADLINES[why.decision] ?? ((w) => w.decision))(why)}`;
  const facts = [
    ['Group', why.group],
    ['Zone', why.zone],
    ['List', why.list],
    ['Rule', why.rule],
    ['Trigger', why.trigger],
    ['Action', why.action],
    ['Schedule', why.schedule],
    ['Zones in force', why.inForce?.length ? why.inForce.join(', ') : 'none'],
  ].filter(([, value]) => value !== undefined && value !== null && value !== '');
  document.getElementById('facts').replaceChildren(...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
  const allow = why.decision === 'blocked' || why.decision === 'rewritten';
  const button = document.getElementById('change-button');
  button.textContent = `${allow ? 'Allow' : 'Block'} ${why.name}`;
  button.className = allow ? 'allow' : 'danger';
  button.dataset.action = allow ? 'allow' : 'block';
  document.getElementById('result').hidden = false;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  changeStatus.replaceChildren();
  ask();
});

change.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (shown === null) return;
  const button = document.getElementById('change-button');
  button.disabled = true;
  await changeRule({ name: shown.name, action: button.dataset.action, reason: field(change, 'reason'), status: changeStatus, changed: ask });
  button.disabled = false;
});

try {
  await startPage();
  const params = new URLSearchParams(location.search);
  for (const name of ['name', 'type', 'client', 'group']) if (params.has(name)) form.elements[name].value = params.get(name);
  if (field(form, 'name') !== '') await ask();
} catch (error) {
  showError(status, error);
}
