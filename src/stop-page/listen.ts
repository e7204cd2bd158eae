import type { AddressInfo, Server } from 'node:net';
import type { Endpoint } from '../config/address.js';

/**
 * Starts one server per endpoint and returns what each
 * bound to ("127.0.0.1:41234"); each is added to `servers` as soon as it
 * exists, so the caller can close them all if a later one fails.
 */
export async function listenAll(endpoints: readonly Endpoint[], create: () => Server, servers: Server[]): Promise<string[]> {
  const bound: string[] = [];
  for (const endpoint of endpoints) {
    const server = create();
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`stop page: cannot listen on ${endpoint.label} (${error.code ?? error.message})`)));
      // IPv6 listeners are IPv6-only, as the DNS listeners: "0.0.0.0:80" and "[::]:80" can then both be listed.
      server.listen({ host: endpoint.host, port: endpoint.port, exclusive: true, ipv6Only: endpoint.family === 6 }, () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    bound.push(address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  }
  return bound;
}
