import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TLS alert record, fatal unrecognized_name (RFC 8446 section 6.2, alert 112),
 * sent in TLS 1.2 record framing, which every TLS 1.2 and 1.3 client reads.
 * Chromium shows ERR_SSL_UNRECOGNIZED_NAME_ALERT at once, Firefox
 * SSL_ERROR_UNRECOGNIZED_NAME_ALERT: no certificate warning to click through,
 * no wait.
 */
const UNRECOGNIZED_NAME = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70]);

/**
 * HTTPS without a CA: every ClientHello is answered at once with the alert
 * above and the connection closed. No TLS stack and no certificate are
 * involved, so there is nothing to hang on. A connection that sends nothing
 * is closed after `idleMs`.
 */
export function tlsRefusalServer(idleMs = 5_000): Server & { closeAllConnections(): void } {
  const open = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.setTimeout(idleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk) => {
      // 0x16: a TLS handshake record. Anything else (plain HTTP on this port) is simply closed.
      if (chunk[0] === 0x16) socket.end(UNRECOGNIZED_NAME);
      else socket.end();
      socket.setTimeout(1_000, () => socket.destroy());
    });
  });
  return Object.assign(server, { closeAllConnections: () => open.forEach((socket) => socket.destroy()) });
}
