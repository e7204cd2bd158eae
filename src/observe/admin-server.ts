import http from 'node:http';
import https from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Endpoint } from '../config/address.js';
import { capConnections, httpServerOptions, type HttpLimits } from './http-limits.js';

/** A running admin listener. */
export interface AdminServer {
  /** Bound "127.0.0.1:PORT" per listen address. */
  readonly endpoints: string[];
  /** "http" or "https" (admin.certFile and keyFile). */
  readonly scheme: 'http' | 'https';
  close(): Promise<void>;
}

/**
 * What one client may hold on the admin listener: a scrape or a health check sends its request at once, and
 * the container binds the port on every address, so a client that trickles its headers is cut off after 5 s.
 */
export const ADMIN_HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 128 };

/** What the admin listener serves beside metrics and health, and how. */
export interface AdminExtras {
  /** PEM certificate and key: HTTPS on every address. */
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
  /** Registers more routes (the console) before the listener opens. */
  readonly routes?: (app: FastifyInstance) => Promise<void>;
}

/** The methods handed to Fastify: those of the routes, and the common ones (answered 404 or 405 by its not-found handler). */
const ROUTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** Request bodies at most (the console's JSON; metrics and health take none). */
const BODY_LIMIT = 64 * 1024;

/**
 * The admin HTTP listener, on Fastify: GET /metrics (Prometheus text format), /healthz (the process
 * answers), /readyz (200 once `ready()` says every required policy zone is loaded, 503 before), and what
 * `extras.routes` adds (the console, src/console/). One Fastify app serves every listen address: each
 * address gets its own Node server (with the limits above) handing requests to the app's router, so
 * sessions and rate limits are shared. Never on a public address by default.
 */
export async function startAdminServer(listen: readonly Endpoint[], registry: Registry, ready: () => boolean, log: Logger, limits = ADMIN_HTTP_LIMITS, extras: AdminExtras = {}): Promise<AdminServer> {
  const servers: Array<http.Server | https.Server> = [];
  const app = Fastify({
    serverFactory: (handler) => {
      // A request target that is no path ("*", "http://host/x"), or a method Fastify's router does not know
      // ("PRI"), finds no route, not even the 404 one, and Fastify logs a warning per request: a client could
      // fill the log. Answered here as they were before Fastify.
      const route: http.RequestListener = (request, response) => {
        if (request.url?.startsWith('/') === true && ROUTED_METHODS.has(request.method ?? '')) return handler(request, response);
        const known = request.method === 'GET' || request.method === 'HEAD';
        response.writeHead(known ? 404 : 405, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(known ? 'not found: try /metrics, /healthz or /readyz\n' : 'method not allowed\n');
      };
      for (let i = 0; i < Math.max(1, listen.length); i++) {
        const options = { ...httpServerOptions(limits), ...extras.tls };
        const server = extras.tls === undefined ? http.createServer(options, route) : https.createServer(options, route);
        capConnections(server, limits);
        server.on('clientError', (_error, socket) => socket.destroy());
        servers.push(server);
      }
      return servers[0] as http.Server;
    },
    loggerInstance: log.child({ part: 'admin' }) as FastifyBaseLogger,
    // One line per request would drown the server's log; errors are logged by the console's error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: false,
  });
  app.get('/healthz', (_request, reply) => text(reply, 200, 'ok\n'));
  app.get('/readyz', (_request, reply) => (ready() ? text(reply, 200, 'ready\n') : text(reply, 503, 'policy zones not loaded yet\n')));
  app.get('/metrics', async (_request, reply) => {
    try {
      return text(reply, 200, await registry.metrics(), registry.contentType);
    } catch (error) {
      return text(reply, 500, `${(error as Error).message}\n`);
    }
  });
  // As before Fastify: any other method is 405, any other path 404, in plain text (the console answers its own /api paths in JSON).
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && !request.url.startsWith('/api/')) return text(reply, 405, 'method not allowed\n');
    if (request.url.startsWith('/api/')) return reply.code(404).header('cache-control', 'no-store').send({ error: `no such API path: ${request.method} ${request.url.split('?')[0]}` });
    return text(reply, 404, `not found: try /metrics, /healthz or /readyz${extras.routes === undefined ? '' : ', or the console at /'}\n`);
  });
  if (extras.routes !== undefined) await extras.routes(app);
  await app.ready();
  const endpoints: string[] = [];
  try {
    for (const [i, endpoint] of listen.entries()) {
      const server = servers[i]!;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(endpoint.port, endpoint.host, () => resolve());
      });
      const address = server.address() as { address: string; port: number; family: string };
      endpoints.push(`${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
    }
  } catch (error) {
    await closeAll(servers, app);
    throw error;
  }
  log.debug({ endpoints }, 'admin listener up');
  return { endpoints, scheme: extras.tls === undefined ? 'http' : 'https', close: () => closeAll(servers, app) };
}

async function closeAll(servers: ReadonlyArray<http.Server | https.Server>, app: FastifyInstance): Promise<void> {
  await Promise.all(
    servers.map((server) =>
      server.listening
        ? new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          })
        : Promise.resolve(),
    ),
  );
  await app.close();
}

function text(reply: FastifyReply, status: number, body: string, type = 'text/plain; charset=utf-8'): FastifyReply {
  return reply.code(status).header('content-type', type).header('cache-control', 'no-store').send(body);
}
