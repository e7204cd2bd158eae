// Allow or block a name in one click, with undo: POST /api/rules, then DELETE /api/rules/:id.
import { api } from './api.js';
import { el, showError } from './dom.js';

/**
 * Writes an allow or block rule for `name`, then shows what was done and an Undo button in `status`.
 * `changed()` runs after the rule and after its undo (e.g. to ask "why" again).
 */
export async function changeRule({ name, action, reason, status, changed = () => {} }) {
  status.replaceChildren();
  let rule;
  try {
    rule = await api('/api/rules', { method: 'POST', body: { name, action, reason } });
  } catch (error) {
    status.append(el('span', { class: 'error' }, `Could not ${action} ${name}: ${error.message}`));
    return;
  }
  const undo = el('button', { type: 'button', class: 'quiet', 'data-rule': rule.id }, 'Undo');
  status.append(el('span', { class: 'notice' }, el('span', {}, `${action === 'allow' ? 'Allowed' : 'Blocked'} ${rule.name} in ${rule.zone}; in force now.`), undo));
  await changed();
  undo.addEventListener('click', async () => {
    undo.disabled = true;
    try {
      await api(`/api/rules/${encodeURIComponent(rule.id)}`, { method: 'DELETE' });
      status.replaceChildren(el('span', { class: 'notice' }, `Undone: the ${action} rule for ${rule.name} is gone from ${rule.zone}.`));
      await changed();
    } catch (error) {
      undo.disabled = false;
      const line = el('span', { class: 'error' });
      showError(line, error);
      status.append(line);
    }
  });
}
