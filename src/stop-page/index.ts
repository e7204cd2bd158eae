import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { capConnections, httpServerOptions, type HttpLimits } from '../observe/http-limits.js';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import { certificateGate } from './certificate-gate.js';
import { parseHost } from './host-header.js';
import { createLeafMinter } from './leaf-certificates.js';
import { listenAll } from './listen.js';
import { loadOperatorCa } from './operator-ca.js';
import { RecentStopPageNames } from './recent-stop-page-names.js';
import { pageHandler } from './request-handler.js';
import { loadTemplates } from './templates.js';
import { gateConnections, refusalCounts, type RefusalCounts } from './tls-gate.js';
import { TokenBucket } from './token-bucket.js';
import type { VisitorGroups } from './visitor-group.js';

export interface StopPageOptions {
  readonly config: Config['stopPage'];
  /** The policy in force: each request asks it again which zone and rule block the Host. */
  readonly policy: PolicySource;
  /** One "stop page shown" line per page view, at info. */
  readonly log: Logger;
  /** The key of referenceCode(), shared with the block log. */
  readonly referenceKey: Buffer;
  /** Names DNS sent to the stop page through their answers (the server records them); a private empty one when absent. */
  readonly recent?: RecentStopPageNames;
  /** The client groups in force (the server's ClientGroups), asked again at each request: the page names the visitor's group and looks only at its zones. */
  readonly groups?: () => VisitorGroups;
  readonly now?: () => number;
  /** Keeps failures a visitor can cause once per request (a page that fails) to a line a minute and a count. */
  readonly lines?: RepeatedLines;
  /** What one client may hold (tests shorten it). */
  readonly httpLimits?: HttpLimits;
}

/**
 * What one client may hold on the stop page: a browser sends its request at once, so one that trickles its
 * headers is cut off after 10 s; stopPage.maxConnections (1,000) leaves room for a school's browsers (six each at most).
 */
export const STOP_PAGE_HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 15_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 };

/** What the HTTPS side did, for /metrics: plain fields, read when scraped. */
export interface HttpsStats {
  readonly certificatesSigned: number;
  readonly certificatesCached: number;
  readonly refused: Readonly<RefusalCounts>;
}

/** The bound listeners ("127.0.0.1:8080"; port 0 in the config is the port picked). */
export interface RunningStopPage {
  readonly http: string[];
  readonly https: string[];
  readonly stats: HttpsStats;
  close(): Promise<void>;
}

/**
 * Starts the stop page: HTTP on stopPage.http, HTTPS on stopPage.https, with
 * certificates minted for the SNI names the policy sends to the stop page when
 * caCertFile and caKeyFile are set (certificate-gate.ts), and an immediate TLS
 * alert for every other ClientHello (docs/stop-page.md says what users see).
 * Templates and the CA are read here, so a mistake in them fails start-up.
 */
export async function startStopPage(options: StopPageOptions): Promise<RunningStopPage> {
  const { config, log, lines } = options;
  const refused = refusalCounts();
  if (!config.enabled) return { http: [], https: [], stats: { certificatesSigned: 0, certificatesCached: 0, refused }, close: async () => {} };
  const now = options.now ?? Date.now;
  const recent = options.recent ?? new RecentStopPageNames({ now });
  const deps = { policy: options.policy, recent, referenceKey: options.referenceKey, templates: loadTemplates(config.templatesDir), now, ...(options.groups && { groups: options.groups }) };
  const handler = pageHandler(deps, log, lines);
  const servers: NetServer[] = [];
  const limits = options.httpLimits ?? { ...STOP_PAGE_HTTP_LIMITS, maxConnections: config.maxConnections };
  const tuned = <S extends HttpServer>(server: S): S => capConnections(server, limits);
  const capped = <S extends NetServer>(server: S): S => {
    server.maxConnections = limits.maxConnections;
    return server;
  };

  // The config has refused one without the other (check-meaning.ts).
  const ca = config.caCertFile === undefined || config.caKeyFile === undefined ? null : await loadOperatorCa(config.caCertFile, config.caKeyFile, now());
  const minter = ca === null ? null : await createLeafMinter(ca, { now });
  const stats: HttpsStats = {
    get certificatesSigned() {
      return minter?.signed ?? 0;
    },
    get certificatesCached() {
      return minter?.cached ?? 0;
    },
    refused,
  };
  try {
    const http = await listenAll(config.http, () => tuned(createHttpServer(httpServerOptions(limits), handler)), servers);
    let https: string[];
    if (minter === null) {
      https = await listenAll(config.https, () => gateConnections(capped(createNetServer()), { refused }), servers);
    } else {
      const bucket = new TokenBucket(config.certificatesPerSecond, config.certificateBurst, now);
      const decide = certificateGate({ policy: options.policy, recent, minter, bucket, log, now });
      const tlsOptions = {
        ...httpServerOptions(limits),
        minVersion: 'TLSv1.2' as const,
        handshakeTimeout: 10_000,
        // The gate has made the leaf before the handshake starts: this only looks it up and never signs.
        SNICallback(servername: string, callback: (error: Error | null, context?: SecureContext) => void) {
          const host = parseHost(servername);
          const made = host.kind === 'name' ? minter.made(host.host) : undefined;
          if (made === undefined) return callback(new Error('no certificate was made for this name'));
          made.then((context) => callback(null, context), callback);
        },
      };
      https = await listenAll(config.https, () => gateConnections(tuned(createHttpsServer(tlsOptions, handler)), { decide, refused }), servers);
    }
    log.info({ http, https, certificates: minter === null ? 'none: HTTPS visits fail at once' : 'minted by the operator CA for names sent to the stop page' }, 'stop page listening');
    return { http, https, stats, close: () => closeAll(servers) };
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
