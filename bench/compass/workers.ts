/**
 * Whether this Stopzone has the `workers` setting (issue 21, item 3): asks `stopzone check --config` about a
 * config with `workers: 2`, as an admin would. Until it has, workload (c) is skipped and says why.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDR, childEnv, ROOT } from '../lib/processes.js';
import { TMP } from './settings.js';

/** null when `workers: 2` is accepted; else why workload (c) cannot run. */
export function workersMissing(): string | null {
  const config = join(TMP, 'workers-check.yaml');
  writeFileSync(config, `listen: { addresses: ["${ADDR}"], port: 53 }\nupstreams: ["${ADDR}:53"]\nworkers: 2\n`);
  const check = spawnSync(process.execPath, ['dist/cli/main.js', 'check', '--config', config], { cwd: ROOT, env: childEnv, encoding: 'utf8' });
  if (check.status === 0) return null;
  const output = `${check.stdout}${check.stderr}`.trim();
  if (/unknown key "workers"/.test(output)) return 'Stopzone has no workers setting yet';
  return `stopzone check refused a config with workers: 2 (exit ${String(check.status)}): ${output.split('\n')[0] ?? ''}`;
}
