import net from 'node:net';

/** Where and within what limits one exchange runs. */
export interface ExchangeLimits {
  /** "127.0.0.1:5300", "[::1]:53" or a bare address (port 53). */
  readonly primary: string;
  /** For the whole exchange, connecting included (the zone's transfer.timeoutSeconds, which errors name). */
  readonly timeoutMs: number;
  /** Bytes received, length prefixes included (the zone's transfer.maxBytes, which errors name). */
  readonly maxBytes: number;
  /** "the transfer of rpz.example": for messages. */
  readonly what: string;
}

/** Handles one response message: true when it was the last one. Throws to abort the exchange. */
export type OnMessage = (message: Buffer, index: number) => boolean;

/**
 * Sends `query` over TCP with the 2-byte length prefix (RFC 1035 section
 * 4.2.2, RFC 7766) and hands each response message to `onMessage` until it
 * says the exchange is over. Rejects on timeout, on more than maxBytes, and
 * when the primary closes the connection early. Resolves to the bytes received.
 */
export function tcpExchange(query: Buffer, limits: ExchangeLimits, onMessage: OnMessage): Promise<number> {
  const { host, port } = splitPrimary(limits.primary);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let pending: Buffer = Buffer.alloc(0);
    let received = 0;
    let index = 0;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve(received);
      else reject(error);
    };
    const timer = setTimeout(
      () => finish(new Error(`${limits.what} from ${limits.primary} took longer than ${limits.timeoutMs / 1000} s (transfer.timeoutSeconds; ${received} bytes in ${index} messages so far)`)),
      limits.timeoutMs,
    );
    socket.once('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length, 0);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes) {
        finish(new Error(`${limits.what} from ${limits.primary} is larger than transfer.maxBytes (${limits.maxBytes} bytes); raise the limit if the zone is expected to be this large`));
        return;
      }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (!settled && pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        try {
          if (onMessage(message, index++)) finish();
        } catch (error) {
          finish(error as Error);
        }
      }
    });
    socket.once('error', (error) => finish(new Error(`${limits.what} from ${limits.primary} failed: ${error.message}`)));
    socket.once('close', () => finish(new Error(`${limits.what} from ${limits.primary}: the primary closed the connection after ${index} messages, before the end`)));
  });
}

/** "host:port", "[v6]:port" or a bare address (port 53). */
export function splitPrimary(primary: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(primary);
  if (bracketed !== null) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 53) };
  if (net.isIP(primary) !== 0) return { host: primary, port: 53 };
  const match = /^([^:]+):(\d+)$/.exec(primary);
  const port = Number(match?.[2]);
  if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`primary "${primary}" is not "address:port" (for example "127.0.0.1:5300" or "[::1]:53")`);
  }
  return { host: match[1]!, port };
}
