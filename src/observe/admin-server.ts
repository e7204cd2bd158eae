import http from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Endpoint } from '../config/address.js';
import { capConnections, httpServerOptions, type HttpLimits } from './http-limits.js';

/** A running admin listener. */
export interface AdminServer {
  /** Bound "127.0.0.1:PORT" per listen address. */
  readonly endpoints: string[];
  close(): Promise<void>;
}

/**
 * What one client may hold on the admin listener: a scrape or a health check sends its request at once, and
 * the container binds the port on every address, so a client that trickles its headers is cut off after 5 s.
 */
export const ADMIN_HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 128 };

/**
 * The admin HTTP listener: GET /metrics (Prometheus text format), /healthz
 * (the process answers), /readyz (200 once `ready()` says every required
 * policy zone is loaded, 503 before). Nothing else; never on a public
 * address by default.
 */
export async function startAdminServer(listen: readonly Endpoint[], registry: Registry, ready: () => boolean, log: Logger, limits = ADMIN_HTTP_LIMITS): Promise<AdminServer> {
  const servers: http.Server[] = [];
  const endpoints: string[] = [];
  for (const endpoint of listen) {
    const server = http.createServer(httpServerOptions(limits), (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'method not allowed\n');
      if (path === '/healthz') return send(response, 200, 'ok\n');
      if (path === '/readyz') return ready() ? send(response, 200, 'ready\n') : send(response, 503, 'policy zones not loaded yet\n');
      if (path === '/metrics') {
        registry.metrics().then(
          (text) => send(response, 200, text, registry.contentType),
          (error: Error) => send(response, 500, `${error.message}\n`),
        );
        return;
      }
      send(response, 404, 'not found: try /metrics, /healthz or /readyz\n');
    });
    capConnections(server, limits);
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(endpoint.port, endpoint.host, () => resolve());
    });
    const address = server.address() as { address: string; port: number; family: string };
    endpoints.push(`${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
    servers.push(server);
  }
  log.debug({ endpoints }, 'admin listener up');
  return {
    endpoints,
    close: async () => {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })));
    },
  };
}

function send(response: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}
