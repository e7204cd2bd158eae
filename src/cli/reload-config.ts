import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { RELOADED_KEYS } from '../config/restart-only.js';
import type { RunningServer } from '../server/start-server.js';

/**
 * SIGHUP's config half: reads the config file again and puts its client groups, schedules and zones'
 * groups lists in force (RunningServer.reconfigure). A config that does not parse, or that cannot be
 * applied while serving, is refused: the error is logged and the running config stays. Keys that
 * changed but take effect only on a restart are named in a warning. Never throws.
 */
export function reloadConfig(server: RunningServer, configPath: string | undefined, env: NodeJS.ProcessEnv, log: Logger): void {
  const configFile = configPath ?? '(embedded defaults)';
  let next;
  try {
    next = loadConfig(configPath, env);
  } catch (error) {
    // Any failure, ConfigError or not: a reload must never take a serving resolver down.
    const message = error instanceof ConfigError ? error.message : `cannot read the configuration: ${String(error)}`;
    log.error({ configFile, err: message }, `configuration not reloaded, the running one stays: ${message}`);
    return;
  }
  const outcome = server.reconfigure(next);
  if (!outcome.applied) {
    log.error({ configFile, err: outcome.reason }, `configuration not reloaded, the running one stays: ${outcome.reason}`);
    return;
  }
  log.info({ configFile, groups: next.groups.map((group) => group.name), schedules: Object.keys(next.schedules), reloaded: RELOADED_KEYS }, 'configuration reloaded: client groups and schedules in force');
  if (outcome.restartNeeded.length > 0) {
    log.warn({ configFile, keys: outcome.restartNeeded }, `changed keys take effect only after a restart: ${outcome.restartNeeded.join(', ')}`);
  }
}
