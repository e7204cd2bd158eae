// The console's one way to the JSON API (docs/console.md): same-origin requests with the session cookie,
// the session's CSRF token on every change, and a trip to /login when the session is gone.

/** A refused API request: the HTTP status and the server's message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let current = null;

/** The session ({ role, csrf }), asked once per page. */
export function session() {
  current ??= call('GET', '/api/session');
  return current;
}

/** Calls the API: GET, or a change (POST, DELETE) carrying `x-csrf-token`; resolves with the JSON body (null for 204). */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = (await session()).csrf;
  return call(method, path, headers, body);
}

/** Logs in (no session yet, so no CSRF token): POST /api/login, which sets the session cookie. */
export function login(password) {
  return call('POST', '/api/login', { accept: 'application/json' }, { password });
}

/** `/api/...?k=v` with the non-empty values of `params`. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Starts a page behind the login: shows the role, wires "Log out", hides admin controls from a read-only role. */
export async function startPage() {
  const { role, who } = await session();
  document.body.dataset.role = role;
  document.getElementById('role').textContent = `${who ?? ''}${role === 'admin' ? '' : ' (read-only)'}`.trim();
  document.getElementById('logout').addEventListener('click', async () => {
    await api('/api/logout', { method: 'POST' }).catch(() => null);
    location.assign('/login');
  });
  return role;
}

async function call(method, path, headers = { accept: 'application/json' }, body) {
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401 && location.pathname !== '/login') {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, 'not logged in');
  }
  if (!response.ok) throw new ApiError(response.status, await reason(response));
  return response.status === 204 ? null : response.json();
}

async function reason(response) {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    return String(body.message ?? body.error ?? text);
  } catch {
    return text.trim() || `${response.status} ${response.statusText}`;
  }
}
