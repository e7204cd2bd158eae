// The audit log: every change made through the console or the API, newest first (GET /api/audit).
import { api, startPage } from './api.js';
import { formatTime, showError, table } from './dom.js';

const status = document.getElementById('status');

try {
  await startPage();
  const entries = await api('/api/audit?limit=200');
  document.getElementById('audit').replaceChildren(
    table(
      [
        { label: 'Time', cell: (e) => formatTime(e.time) },
        { label: 'Who', cell: (e) => e.who },
        { label: 'What', cell: (e) => e.what },
        { label: 'Detail', cell: (e) => (typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail)) },
      ],
      entries,
      { empty: 'No change has been made through the console yet.' },
    ),
  );
} catch (error) {
  showError(status, error);
}
