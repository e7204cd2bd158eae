import type { Logger } from 'pino';
import { AnswerCache } from '../cache/answer-cache.js';
import type { Config } from '../config/schema.js';
import { UpstreamPool } from '../upstream/index.js';
import { packetHandler, type AnswerObserver } from './handle-packet.js';
import { compose } from './pipeline.js';
import { stagesInOrder } from './stage-order.js';
import { allowList } from './stages/access.js';
import { listenTcp } from './tcp-listener.js';
import { listenUdp } from './udp-listener.js';
import { PolicyHolder, loadConfiguredPolicy, stopPageRdata } from './policy-holder.js';

/** A running Stopzone DNS server. */
export interface RunningServer {
  /** The listeners' bound addresses, as "127.0.0.1:5353" (UDP and TCP share the port). */
  readonly endpoints: ReadonlyArray<{ address: string; port: number }>;
  readonly cache: AnswerCache;
  readonly pool: UpstreamPool;
  readonly policy: PolicyHolder;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Millisecond clock for the cache and upstream health (tests inject one). */
  readonly now?: () => number;
  readonly observe?: AnswerObserver;
}

/**
 * Builds the pipeline from the config and binds UDP and TCP on every listen
 * address. With port 0, the first address picks a free port and the others use it.
 */
export async function startServer({ config, log, now, observe }: StartOptions): Promise<RunningServer> {
  const cache = new AnswerCache({ ...config.cache, ...(now && { now }) });
  const pool = new UpstreamPool({ upstreams: config.upstreams, ...config.upstream, ...(now && { now }) });
  const policy = new PolicyHolder(await loadConfiguredPolicy(config.policy, log));
  const stopPage = stopPageRdata(config.stopPage.addresses);
  const stages = stagesInOrder({ allowed: allowList(config.access.allow), cache, pool, policy, stopPage });
  const handle = packetHandler(compose(stages), { maxUdpPayload: config.listen.maxUdpPayload }, log, observe);

  const tcpOptions = { idleTimeoutMs: config.listen.tcpIdleTimeoutMs, maxConnections: config.listen.tcpMaxConnections };
  /**
   * UDP and TCP on one port. With port 0 the kernel picks a UDP port that TCP
   * may already use (a client connection's ephemeral port): then try another.
   */
  const bindBoth = async (address: string, port: number) => {
    for (let attempt = 1; ; attempt++) {
      const udp = await listenUdp(address, port, handle, log);
      try {
        return { udp, tcp: await listenTcp(address, udp.port, tcpOptions, handle, log) };
      } catch (error) {
        await udp.close();
        if (port !== 0 || attempt >= 10 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
  };
  const closers: Array<() => Promise<void>> = [];
  const endpoints: Array<{ address: string; port: number }> = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(closers.map((close) => close()));
    await pool.close();
  };
  try {
    let port = config.listen.port;
    for (const address of config.listen.addresses) {
      const bound = await bindBoth(address, port);
      closers.push(bound.udp.close, bound.tcp.close);
      port = bound.udp.port;
      endpoints.push({ address: bound.udp.address, port });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  return { endpoints, cache, pool, policy, close: closeAll };
}
