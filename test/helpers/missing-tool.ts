/**
 * Whether this is a CI run (.ci/run sets CI=1). In CI, nothing a test needs
 * may be missing: a missing tool or file fails the run instead of skipping a
 * test, so a CI summary's `skip` count is 0.
 */
export const IN_CI = (process.env.CI ?? '') !== '' && process.env.CI !== '0' && process.env.CI !== 'false';

/**
 * `reason` as a tap skip reason when `missing`, false otherwise; in CI a
 * missing tool throws instead (the test file fails, naming what to install).
 */
export function skipWhenMissing(missing: boolean, reason: string): string | false {
  if (!missing) return false;
  if (IN_CI) throw new Error(`${reason}; CI runs every test, so a missing tool or file is a failure, not a skip`);
  return reason;
}
