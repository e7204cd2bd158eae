import net from 'node:net';
import dnsPacket from 'dns-packet';

/** One SOA serial's records of the fake's zone, as dns-packet answers. */
export type FakeAnswers = dnsPacket.Answer[];

/** A primary whose transfers a test scripts record by record, on 127.0.0.1 (TCP only, no TSIG). */
export interface FakePrimary {
  /** "127.0.0.1:PORT", for `primaries`. */
  readonly hostPort: string;
  /** The queries received so far, as "SOA", "AXFR" or "IXFR". */
  readonly asked: string[];
  /**
   * What the primary serves from now on: the SOA answers `serial`; an AXFR
   * (or an IXFR, answered with the whole zone as RFC 1995 section 4 allows)
   * gets the SOA, `records`, then the SOA again with `closingSerial`
   * (default: `serial`, as RFC 5936 section 2.2 requires).
   */
  serve(zone: { serial: number; records: FakeAnswers; closingSerial?: number }): void;
  close(): Promise<void>;
}

/** The zone's SOA with `serial`. */
export function fakeSoa(zone: string, serial: number): dnsPacket.Answer {
  return { type: 'SOA', name: zone, ttl: 300, data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial, refresh: 3600, retry: 600, expire: 86400, minimum: 60 } };
}

/**
 * Starts a fake primary of `zone` for transfer tests that a real BIND cannot
 * play (a transfer that breaks the protocol). Answers one query per
 * connection message, each transfer in one message.
 */
export async function startFakePrimary(zoneName: string): Promise<FakePrimary> {
  let zone: { serial: number; records: FakeAnswers; closingSerial?: number } = { serial: 1, records: [] };
  const asked: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const query = dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
        const question = query.questions![0]!;
        asked.push(question.type);
        const answers = question.type === 'SOA' ? [fakeSoa(zoneName, zone.serial)] : [fakeSoa(zoneName, zone.serial), ...zone.records, fakeSoa(zoneName, zone.closingSerial ?? zone.serial)];
        const message = dnsPacket.encode({ type: 'response', id: query.id!, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: query.questions!, answers });
        const length = Buffer.alloc(2);
        length.writeUInt16BE(message.length);
        socket.write(Buffer.concat([length, message]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    hostPort: `127.0.0.1:${port}`,
    asked,
    serve: (next) => {
      zone = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
