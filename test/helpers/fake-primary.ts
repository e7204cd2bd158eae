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
  serve(zone: FakeZone): void;
  close(): Promise<void>;
}

/** What a fake primary serves. */
export interface FakeZone {
  readonly serial: number;
  readonly records: FakeAnswers;
  /** The serial of the closing SOA of a transfer (default: `serial`). */
  readonly closingSerial?: number;
  /** The SOA's timers, in seconds (default: refresh 3600, retry 600, expire 86400). */
  readonly timers?: SoaTimers;
  /** How an IXFR is answered: with the whole zone (default, RFC 1995 section 4) or REFUSED. */
  readonly ixfr?: 'whole' | 'refused';
  /** Reads queries and answers none (a primary that hangs). */
  readonly silent?: boolean;
}

/** An SOA's refresh, retry and expire timers, in seconds. */
export interface SoaTimers {
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
}

/** The zone's SOA with `serial`. */
export function fakeSoa(zone: string, serial: number, timers: SoaTimers = { refresh: 3600, retry: 600, expire: 86400 }): dnsPacket.Answer {
  return { type: 'SOA', name: zone, ttl: 300, data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial, ...timers, minimum: 60 } };
}

/**
 * Starts a fake primary of `zone` for transfer tests that a real BIND cannot
 * play (a transfer that breaks the protocol). Answers one query per
 * connection message, each transfer in one message.
 */
export async function startFakePrimary(zoneName: string): Promise<FakePrimary> {
  let zone: FakeZone = { serial: 1, records: [] };
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
        if (zone.silent === true) continue;
        const soa = (serial: number): dnsPacket.Answer => fakeSoa(zoneName, serial, zone.timers);
        const refused = question.type === 'IXFR' && zone.ixfr === 'refused';
        const answers = refused ? [] : question.type === 'SOA' ? [soa(zone.serial)] : [soa(zone.serial), ...zone.records, soa(zone.closingSerial ?? zone.serial)];
        const flags = dnsPacket.AUTHORITATIVE_ANSWER | (refused ? 5 : 0); // RCODE REFUSED
        const message = dnsPacket.encode({ type: 'response', id: query.id!, flags, questions: query.questions!, answers });
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
