import type { Logger } from 'pino';
import { addressToBytes } from '../rpz/ip-prefix.js';
import { ActionKind } from '../rpz/actions.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import { parseHost } from './host-header.js';
import type { LeafMinter } from './leaf-certificates.js';
import { normaliseClient } from './page.js';
import type { RecentStopPageNames } from './recent-stop-page-names.js';
import type { HelloDecision } from './tls-gate.js';
import type { TokenBucket } from './token-bucket.js';

export interface CertificateGateOptions {
  readonly policy: PolicySource;
  readonly recent: RecentStopPageNames;
  readonly minter: LeafMinter;
  /** One token per leaf signed (stopPage.certificatesPerSecond, certificateBurst). */
  readonly bucket: TokenBucket;
  readonly log: Logger;
  readonly now: () => number;
}

/** Warnings about refused mints are logged at most this often, each with the count since the last. */
const WARN_EVERY_MS = 60_000;

/** A warning logged at most once a minute; `refused` counts the calls since the previous line, this one included. */
function everyMinute(options: { readonly log: Logger; readonly now: () => number }, message: string): (fields: Record<string, unknown>) => void {
  let refused = 0;
  let loggedAt = -Infinity;
  return (fields) => {
    refused += 1;
    const now = options.now();
    if (now - loggedAt < WARN_EVERY_MS) return;
    options.log.warn({ ...fields, refused }, message);
    loggedAt = now;
    refused = 0;
  };
}

/**
 * Which ClientHellos get a certificate, decided from the SNI name before
 * anything is signed: only a name the policy in force answers with the stop
 * page's addresses (a QNAME or Client-IP rule whose effective action is the
 * stop page, asked as the DNS side asks before resolution), or one DNS
 * recently sent there through its answer (RecentStopPageNames). Such a name
 * gets its cached leaf, or a new one while the token bucket has a token.
 * No SNI, an IP address, any other name, and a name over the rate cap are
 * refused, with nothing signed and no key made.
 */
export function certificateGate(options: CertificateGateOptions): HelloDecision {
  const { minter, bucket } = options;
  const mayMint = (): boolean => bucket.take();
  const overCap = everyMinute(options, 'stop page certificate rate cap reached: HTTPS refused for names without a cached certificate');
  const failed = everyMinute(options, 'stop page certificate could not be signed: HTTPS refused');

  const sendsToStopPage = (name: string, client: string): boolean => {
    const policy = options.policy.current();
    const clientBytes = policy.hasClientIpTriggers ? addressToBytes(normaliseClient(client)) : null;
    return policy.beforeResolution(name, clientBytes).hit?.kind === ActionKind.STOP_PAGE || options.recent.get(name) !== undefined;
  };

  return (serverName, client) => {
    if (serverName === null) return 'no-sni';
    const host = parseHost(serverName);
    if (host.kind === 'address') return 'address';
    if (host.kind === 'invalid') return 'invalid-name';
    if (!sendsToStopPage(host.host, client)) return 'not-blocked';
    const context = minter.context(host.host, mayMint);
    if (context === null) {
      overCap({ certificatesPerSecond: bucket.perSecond, certificateBurst: bucket.burst });
      return 'rate-limited';
    }
    return context.then(
      () => null,
      (error: Error) => {
        failed({ err: error, servername: host.host });
        return 'mint-failed' as const;
      },
    );
  };
}
