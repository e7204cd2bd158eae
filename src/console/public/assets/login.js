// Log in with the console password (POST /api/login), then go back to the page that asked for it.
import { ApiError, login } from './api.js';
import { field, showError } from './dom.js';

const form = document.getElementById('login-form');
const status = document.getElementById('status');

/** Where to go after logging in: a path on this console only (never another site: no "//" or scheme). */
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return /^\/(?![/\\])/.test(next) ? next : '/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError(status, null);
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    await login(field(form, 'password'));
    location.assign(nextPage());
  } catch (error) {
    const message = error instanceof ApiError && error.status === 401 ? 'Wrong password.' : error instanceof ApiError && error.status === 429 ? `Too many attempts: ${error.message}` : error.message;
    showError(status, message);
    button.disabled = false;
  }
});
