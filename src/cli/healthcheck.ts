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
  const match = first === undefined ? null : /^\[?([^\]]+?)\]?:(\d+)$/.exec(first);
  if (match === null) {
    out('stopzone healthcheck: no admin.listen address in the configuration');
    return 1;
  }
  // A listener on the wildcard address is reached through loopback.
  const host = match[1] === '0.0.0.0' ? '127.0.0.1' : match[1] === '::' ? '::1' : match[1]!;
  return new Promise((resolve) => {
    const request = http.get({ host, port: Number(match[2]), path: '/readyz', timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      out(`stopzone healthcheck: ${host}:${match[2]}/readyz answered ${response.statusCode}`);
      resolve(response.statusCode === 200 ? 0 : 1);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => {
      out(`stopzone healthcheck: ${host}:${match[2]}/readyz: ${error.message}`);
      resolve(1);
    });
  });
}
