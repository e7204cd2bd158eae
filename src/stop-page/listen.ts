import { isIPv6, type AddressInfo, type Server } from 'node:net';

/**
 * Starts one server per "host:port" ("[v6]:port" too) and returns what each
 * bound to ("127.0.0.1:41234"); each is added to `servers` as soon as it
 * exists, so the caller can close them all if a later one fails.
 */
export async function listenAll(endpoints: readonly string[], create: () => Server, servers: Server[]): Promise<string[]> {
  const bound: string[] = [];
  for (const endpoint of endpoints) {
    const m = /^\[?([^\]]+?)\]?:([0-9]+)$/.exec(endpoint);
    if (m === null) throw new Error(`stop page: "${endpoint}" is not an address and port`);
    const server = create();
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`stop page: cannot listen on ${endpoint} (${error.code ?? error.message})`)));
      // IPv6 listeners are IPv6-only, as the DNS listeners: "0.0.0.0:80" and "[::]:80" can then both be listed.
      server.listen({ host: m[1], port: Number(m[2]), exclusive: true, ipv6Only: isIPv6(m[1]!) }, () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    bound.push(address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  }
  return bound;
}
