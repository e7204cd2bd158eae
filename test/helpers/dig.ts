import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { assertLoopback } from './loopback-guard.js';

const run = promisify(execFile);

/** Whether BIND's dig is installed (Debian: bind9-dnsutils; CI installs it). */
export async function hasDig(): Promise<boolean> {
  return run('dig', ['-v']).then(
    () => true,
    () => false,
  );
}

/**
 * Runs dig against a loopback server, one try, and returns what it printed
 * (dig prints ";; Got bad packet: ..." for a message it cannot parse).
 */
export async function dig(target: { address: string; port: number }, args: readonly string[]): Promise<string> {
  assertLoopback(target.address);
  const result = await run('dig', [`@${target.address}`, '-p', String(target.port), '+tries=1', '+time=3', ...args]).catch(
    (error: { stdout?: string; stderr?: string }) => ({ stdout: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  return result.stdout;
}
