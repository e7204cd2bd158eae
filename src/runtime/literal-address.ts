/**
 * A dgram socket's `lookup` for sockets that only ever meet IP literals (a
 * listener's clients, a configured upstream). Without one, Node resolves the
 * address of every bind, connect and unconnected send through dns.lookup and
 * the next tick; this hands the literal straight back.
 */
export function literalAddress(host: string, _options: unknown, callback: (error: null, address: string, family: number) => void): void {
  callback(null, host, host.includes(':') ? 6 : 4);
}
