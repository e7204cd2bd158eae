import http from 'node:http';
import { loadConfig } from '../config/load-config.js';

/**
 * `stopzone healthcheck`: asks the admin listener's /readyz (from the same
 * config the server uses) and exits 0 when ready, 1 otherwise, within
 * `timeoutMs`. For container HEALTHCHECKs: the slim image has no curl or dig.
 */
export async function healthcheck(configPath: string | undefined, env: NodeJS.ProcessEnv, out: (line: string) => void, timeoutMs = 3000): Promise<number> {
  const config = loadConfig(configPath, env);
  const first = config.admin.listen[0];
  if (first === undefined) {
    out('stopzone healthcheck: no admin.listen address in the configuration');
    return 1;
  }
  // A listener on the wildcard address is reached through loopback.
  const host = first.host === '0.0.0.0' ? '127.0.0.1' : first.host === '::' ? '::1' : first.host;
  return new Promise((resolve) => {
    const request = http.get({ host, port: first.port, path: '/readyz', timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      out(`stopzone healthcheck: ${host}:${first.port}/readyz answered ${response.statusCode}`);
      resolve(response.statusCode === 200 ? 0 : 1);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => {
      out(`stopzone healthcheck: ${host}:${first.port}/readyz: ${error.message}`);
      resolve(1);
    });
  });
}
