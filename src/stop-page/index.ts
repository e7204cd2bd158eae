import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as NetServer } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import type { PolicySource } from '../server/stages/policy.js';
import { parseHost } from './host-header.js';
import { createLeafMinter } from './leaf-certificates.js';
import { listenAll } from './listen.js';
import { loadOperatorCa } from './operator-ca.js';
import { pageHandler } from './request-handler.js';
import { loadTemplates } from './templates.js';
import { tlsRefusalServer } from './tls-refusal.js';

export interface StopPageOptions {
  readonly config: Config['stopPage'];
  /** The policy in force: each request asks it again which zone and rule block the Host. */
  readonly policy: PolicySource;
  /** One "stop page shown" line per page view, at info. */
  readonly log: Logger;
  /** The key of referenceCode(), shared with the block log. */
  readonly referenceKey: Buffer;
  readonly now?: () => number;
  /** Keeps failures a visitor can cause once per request (a certificate that cannot be minted) to a line a minute and a count. */
  readonly lines?: RepeatedLines;
}

/** The bound listeners ("127.0.0.1:8080"; port 0 in the config is the port picked). */
export interface RunningStopPage {
  readonly http: string[];
  readonly https: string[];
  close(): Promise<void>;
}

/**
 * Starts the stop page: HTTP on stopPage.http, HTTPS on stopPage.https, with
 * certificates minted per SNI name when caCertFile and caKeyFile are set, and
 * an immediate TLS alert otherwise (docs/stop-page.md says what users see).
 * Templates and the CA are read here, so a mistake in them fails start-up.
 */
export async function startStopPage(options: StopPageOptions): Promise<RunningStopPage> {
  const { config, log, lines } = options;
  if (!config.enabled) return { http: [], https: [], close: async () => {} };
  const now = options.now ?? Date.now;
  const deps = { policy: options.policy, referenceKey: options.referenceKey, templates: loadTemplates(config.templatesDir), now };
  const handler = pageHandler(deps, log, lines);
  const servers: NetServer[] = [];
  const tuned = <S extends HttpServer>(server: S): S => {
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    server.keepAliveTimeout = 5_000;
    server.maxHeadersCount = 100;
    return server;
  };

  if ((config.caCertFile === undefined) !== (config.caKeyFile === undefined)) {
    throw new Error(`stopPage: caCertFile and caKeyFile go together; only ${config.caCertFile === undefined ? 'caKeyFile' : 'caCertFile'} is set`);
  }
  const ca = config.caCertFile === undefined ? null : await loadOperatorCa(config.caCertFile, config.caKeyFile!, now());
  const minter = ca === null ? null : await createLeafMinter(ca, { now });
  try {
    const http = await listenAll(config.http, () => tuned(createHttpServer(handler)), servers);
    let https: string[];
    if (minter === null) {
      https = await listenAll(config.https, () => tlsRefusalServer(), servers);
    } else {
      // Clients that send no SNI (a bare IP address) get a certificate for the first stop page address.
      const fallback = await minter.mint(config.addresses[0] ?? '127.0.0.1');
      const options = {
        cert: `${fallback.certPem}\n${ca!.chainPem}`,
        key: fallback.keyPem,
        minVersion: 'TLSv1.2' as const,
        handshakeTimeout: 10_000,
        SNICallback(servername: string, callback: (error: Error | null, context?: import('node:tls').SecureContext) => void) {
          const host = parseHost(servername);
          if (host.kind === 'invalid') return callback(new Error(`unusable SNI name`));
          minter.context(host.host).then(
            (context) => callback(null, context),
            (error: Error) => {
              if (lines === undefined || lines.admit('stop page certificate failed', 'warn')) log.warn({ err: error, servername: host.host }, 'stop page certificate failed');
              callback(error);
            },
          );
        },
      };
      https = await listenAll(config.https, () => tuned(createHttpsServer(options, handler)), servers);
    }
    log.info({ http, https, certificates: minter === null ? 'none: HTTPS visits fail at once' : 'minted per name by the operator CA' }, 'stop page listening');
    return { http, https, close: () => closeAll(servers) };
  } catch (error) {
    await closeAll(servers);
    throw error;
  }
}

async function closeAll(servers: readonly NetServer[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          (server as Partial<HttpServer>).closeAllConnections?.call(server);
          server.close(() => resolve());
        }),
    ),
  );
}
