import { fileURLToPath } from 'node:url';

/** zones/ in the package (from src/config or dist/config alike). */
const ZONES_DIR = fileURLToPath(new URL('../../zones/', import.meta.url));

/**
 * The policy of the embedded defaults (`npm start` without a config file),
 * the same as the container's: the allow list first, the bypass guard that
 * keeps browsers and phones on this resolver, then the local list with its
 * test name. Absolute paths: the embedded defaults have no config file to be
 * relative to.
 */
export const SHIPPED_ZONES = [
  { name: 'allow.rpz', file: `${ZONES_DIR}allow.rpz` },
  { name: 'bypass-guard.rpz', file: `${ZONES_DIR}bypass-guard.rpz`, logName: 'Encrypted-DNS bypass guard' },
  { name: 'local.rpz', file: `${ZONES_DIR}local.rpz`, policy: 'stop-page', logName: 'School list' },
];
