import type { Logger } from 'pino';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../observe/logger.js';
import { lowerHelperThreads } from '../runtime/low-priority-threads.js';
import { startServer } from '../server/start-server.js';
import { reloadConfig } from './reload-config.js';

/**
 * `stopzone serve`: loads the config (a bad one stops start-up with the key
 * and the reason), logs the effective config once, serves until SIGTERM or
 * SIGINT, then closes the listeners, flushes the log and exits 0.
 */
export async function serve(configPath: string | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  const helperThreadsLowered = lowerHelperThreads();
  const config = loadConfig(configPath, env);
  const log = createLogger(config.log.level);
  const server = await startServer({ config, log });
  const { blockLog, admin, ...shown } = config;
  // No secrets in the log: the hash key, the console password's hash and the tokens' hashes are replaced by whether there is one.
  const safeConfig = {
    ...shown,
    blockLog: { ...blockLog, hashKey: blockLog.hashKey === undefined ? undefined : '(set)' },
    admin: { ...admin, passwordHash: admin.passwordHash === undefined ? undefined : '(set)', tokens: admin.tokens.map((token) => ({ ...token, hash: '(set)' })) },
  };
  log.info({ config: safeConfig, configFile: configPath ?? '(embedded defaults)', endpoints: server.endpoints, admin: server.admin.endpoints, stopPage: { http: server.stopPage.http, https: server.stopPage.https }, helperThreadsLowered }, 'stopzone serving');
  // SIGHUP reads the config again for its groups and schedules (a bad one is refused and logged), then
  // reloads every policy zone (a zone that fails keeps its last good version).
  const onHangup = (): void => {
    reloadConfig(server, configPath, env, log);
    void server.zones.reloadAll();
  };
  process.on('SIGHUP', onHangup);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.off('SIGHUP', onHangup);
  await server.close();
  log.info('stopzone stopped');
  await flush(log);
}

function flush(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}
