import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { assertLoopback } from './loopback-guard.js';

/** One record of the fake's table; `data` is what dns-packet takes for `type`. */
export interface FakeRecord {
  readonly type: string;
  readonly ttl?: number;
  readonly data: unknown;
}

/** How the fake answers; switchable at run time with setBehaviour. */
export type FakeBehaviour =
  | 'normal'
  /** Receives, never answers (UDP and TCP). */
  | 'dead'
  /** UDP answers have TC=1 and no records; TCP answers are whole. */
  | 'truncate'
  | 'servfail'
  | 'refused'
  /** Answers with this RCODE and no records (e.g. 'NOTIMP', 'FORMERR'). */
  | { readonly rcode: 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED' }
  /** Answers normally after `slow` ms (a timer per query). */
  | { readonly slow: number }
  /** Answers normally once the test calls release() (nothing is timed: the test decides when). */
  | 'hold'
  /** Sends a forged answer first (another ID, or another question), then the right one unless onlyLie. */
  | { readonly lie: 'wrong-id' | 'wrong-question'; readonly onlyLie?: boolean }
  /** Sends exactly the bytes `raw` returns for the query's bytes (any garbage: a test builds malformed answers with it). */
  | { readonly raw: (query: Buffer) => Buffer };

/** The SOA of negative answers; `minimum` is the negative TTL (RFC 2308). */
export interface FakeSoa {
  readonly zone?: string;
  readonly ttl?: number;
  readonly minimum?: number;
}

export interface FakeUpstreamOptions {
  /** '127.0.0.1' (default) or '::1'; anything off loopback is refused. */
  readonly address?: string;
  /** Owner name (any case, no trailing dot) to records. */
  readonly records?: Readonly<Record<string, readonly FakeRecord[]>>;
  readonly soa?: FakeSoa;
  readonly behaviour?: FakeBehaviour;
  /**
   * Answers every query with the bytes this returns (null: no answer) instead
   * of the table, for answers dns-packet cannot write (octets outside ASCII in
   * names, malformed messages). The query is still recorded.
   */
  readonly script?: (query: Buffer) => Buffer | null;
  /** Keep every query in `queries` (default true); a fuzzing run of millions turns it off to keep its memory flat. */
  readonly keepQueries?: boolean;
}

/** A query the fake received. */
export interface ReceivedQuery {
  readonly transport: 'udp' | 'tcp';
  readonly id: number;
  /** The question as sent (letter case kept). */
  readonly name: string;
  readonly type: string;
  readonly class: string;
  readonly rd: boolean;
  readonly cd: boolean;
  /** The OPT record's payload size and DO bit, or null when the query had no OPT. */
  readonly opt: { readonly udpPayloadSize: number; readonly dnssecOk: boolean } | null;
  /** The sender's port (the client's source port). */
  readonly port: number;
  readonly raw: Buffer;
}

/** A running fake upstream on loopback: UDP and TCP on one port. */
export interface FakeUpstream {
  /** "127.0.0.1:PORT" or "[::1]:PORT". */
  readonly hostPort: string;
  readonly address: string;
  readonly port: number;
  readonly queries: ReceivedQuery[];
  /** Messages sent so far, forged ones included. */
  readonly answersSent: number;
  setBehaviour(behaviour: FakeBehaviour): void;
  /** Resolves once `count` queries have been received in all (an event to wait on, not a sleep). */
  received(count: number): Promise<void>;
  /** Answers every query held by the 'hold' behaviour so far. */
  release(): void;
  /** Resolves once no TCP connection to the fake is open (a client closed its side). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The address forged answers carry, so a test can tell when one was believed. */
export const FORGED_ADDRESS = '192.0.2.66';

const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/**
 * Starts an authoritative fake on loopback: NXDOMAIN (with the SOA) for names
 * not in `records`, NODATA (with the SOA) for a name without the type, the
 * question echoed as the client spelled it, an OPT when the query had one,
 * and TC=1 over UDP when the answer exceeds the query's payload size.
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const address = options.address ?? '127.0.0.1';
  assertLoopback(address);
  const table = new Map<string, readonly FakeRecord[]>();
  for (const [name, records] of Object.entries(options.records ?? {})) table.set(name.toLowerCase().replace(/\.$/, ''), records);
  let behaviour: FakeBehaviour = options.behaviour ?? 'normal';
  const queries: ReceivedQuery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const connections = new Set<net.Socket>();
  let idleWaiters: Array<() => void> = [];
  const checkIdle = (): void => {
    if (connections.size > 0) return;
    for (const wake of idleWaiters) wake();
    idleWaiters = [];
  };
  let answersSent = 0;
  let received = 0;
  let receivedWaiters: Array<{ count: number; wake: () => void }> = [];
  const held: Array<() => void> = [];
  let closing: Promise<void> | undefined;

  const respond = (raw: Buffer, transport: 'udp' | 'tcp', port: number, send: (message: Buffer) => void): void => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    const opt = (query.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT') ?? null;
    if (options.keepQueries !== false) queries.push({
      transport,
      id: query.id ?? 0,
      name: question.name,
      type: question.type,
      class: question.class ?? 'IN',
      rd: query.flag_rd,
      cd: query.flag_cd,
      opt: opt && { udpPayloadSize: opt.udpPayloadSize, dnssecOk: (opt.flags & dnsPacket.DNSSEC_OK) !== 0 },
      port,
      raw,
    });
    received += 1;
    receivedWaiters = receivedWaiters.filter((w) => (w.count <= received ? (w.wake(), false) : true));
    const now = behaviour;
    if (now === 'dead') return;
    if (options.script !== undefined) {
      const scripted = options.script(raw);
      if (scripted !== null) {
        answersSent += 1;
        send(scripted);
      }
      return;
    }
    const limit = transport === 'tcp' ? 65535 : opt ? Math.max(512, opt.udpPayloadSize) : 512;
    const deliver = (message: Buffer): void => {
      answersSent += 1;
      send(message);
    };
    const answer = (): void => {
      if (typeof now === 'object' && 'raw' in now) {
        deliver(now.raw(raw));
        return;
      }
      if (typeof now === 'object' && 'lie' in now) {
        deliver(forged(query, question, now.lie, opt !== null));
        if (now.onlyLie === true) return;
      }
      deliver(build(query, question, opt, table, options.soa ?? {}, now, transport, limit));
    };
    if (now === 'hold') {
      held.push(answer);
    } else if (typeof now === 'object' && 'slow' in now) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, now.slow);
      timers.add(timer);
    } else {
      answer();
    }
  };

  const { udp, tcp, port } = await bindBoth(address, (raw, rinfo, socket) => respond(raw, 'udp', rinfo.port, (m) => socket.send(m, rinfo.port, rinfo.address)), (socket) => {
    connections.add(socket);
    socket.on('close', () => {
      connections.delete(socket);
      checkIdle();
    });
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        respond(message, 'tcp', socket.remotePort ?? 0, (m) => {
          if (socket.destroyed) return;
          const framed = Buffer.alloc(m.length + 2);
          framed.writeUInt16BE(m.length, 0);
          m.copy(framed, 2);
          socket.write(framed);
        });
      }
    });
  });

  const fake: FakeUpstream = {
    hostPort: address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`,
    address,
    port,
    queries,
    get answersSent() {
      return answersSent;
    },
    setBehaviour(next) {
      behaviour = next;
    },
    received(count) {
      return new Promise<void>((wake) => {
        if (received >= count) wake();
        else receivedWaiters.push({ count, wake });
      });
    },
    release() {
      for (const answer of held.splice(0)) answer();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };

  /** Stops answering and closes every socket; a second close() gets the same promise. */
  async function shutDown(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const socket of connections) socket.destroy();
    await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
  }
  return fake;
}

/** Binds UDP on port 0, then TCP on the same port; tries a new port when TCP's is taken. */
async function bindBoth(
  address: string,
  onDatagram: (raw: Buffer, rinfo: dgram.RemoteInfo, socket: dgram.Socket) => void,
  onConnection: (socket: net.Socket) => void,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let tries = 0; ; tries++) {
    const udp = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    udp.on('message', (raw, rinfo) => onDatagram(raw, rinfo, udp));
    udp.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, address, () => resolve());
    });
    const port = udp.address().port;
    const tcp = net.createServer(onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, address, () => resolve());
      });
      return { udp, tcp, port };
    } catch (error) {
      udp.close();
      if (tries >= 10) throw error;
    }
  }
}

function build(
  query: dnsPacket.DecodedPacket,
  question: dnsPacket.Question,
  opt: dnsPacket.OptAnswer | null,
  table: ReadonlyMap<string, readonly FakeRecord[]>,
  soa: FakeSoa,
  behaviour: FakeBehaviour,
  transport: 'udp' | 'tcp',
  limit: number,
): Buffer {
  const dnssecOk = opt !== null && (opt.flags & dnsPacket.DNSSEC_OK) !== 0;
  // Like a recursive resolver: follow CNAMEs within the table to the chain's end (or a loop), owners as asked for the first step.
  const answers: dnsPacket.Answer[] = [];
  let name = question.name.replace(/\.$/, '');
  let records = table.get(name.toLowerCase());
  for (let step = 0; records !== undefined && step <= table.size; step++) {
    // As a signing zone's server: RRSIGs covering the asked type go with it when the query has DO=1 (RFC 4035 section 3.1.1).
    const matching = records.filter((r) => r.type.toUpperCase() === question.type.toUpperCase() || (dnssecOk && covers(r, question.type)));
    const cname = records.find((r) => r.type.toUpperCase() === 'CNAME');
    if (matching.length > 0 || cname === undefined) {
      answers.push(...matching.map((r) => ({ ...r, name, ttl: r.ttl ?? 300, class: question.class ?? 'IN' }) as dnsPacket.Answer));
      break;
    }
    answers.push({ ...cname, name, ttl: cname.ttl ?? 300, class: question.class ?? 'IN' } as dnsPacket.Answer);
    name = String(cname.data);
    records = table.get(name.toLowerCase());
  }
  const fixed =
    behaviour === 'servfail' ? 'SERVFAIL' : behaviour === 'refused' ? 'REFUSED' : typeof behaviour === 'object' && 'rcode' in behaviour ? behaviour.rcode : null;
  const rcode = fixed ?? (records === undefined ? 'NXDOMAIN' : 'NOERROR');
  if (fixed !== null) answers.length = 0;
  const zone = soa.zone ?? 'test';
  const authorities: dnsPacket.Answer[] =
    fixed === null && (answers.length === 0 || rcode === 'NXDOMAIN')
      ? [{ type: 'SOA', name: zone, ttl: soa.ttl ?? 300, data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: soa.minimum ?? 60 } }]
      : [];
  const additionals: dnsPacket.Answer[] = opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: opt.flags & dnsPacket.DNSSEC_OK } as dnsPacket.Answer] : [];
  const message = (truncated: boolean): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | (query.flag_cd ? dnsPacket.CHECKING_DISABLED : 0) | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | RCODES[rcode],
      questions: [question],
      answers: truncated ? [] : answers,
      authorities: truncated ? [] : authorities,
      additionals,
    });
  if (transport === 'udp' && behaviour === 'truncate') return message(true);
  const whole = message(false);
  return whole.length > limit ? message(true) : whole;
}

/** Whether `record` is an RRSIG over `type`. */
function covers(record: FakeRecord, type: string): boolean {
  return record.type.toUpperCase() === 'RRSIG' && String((record.data as { typeCovered?: string }).typeCovered).toUpperCase() === type.toUpperCase();
}

/** A forged answer: another ID, or the right ID for another question; it carries FORGED_ADDRESS. */
function forged(query: dnsPacket.DecodedPacket, question: dnsPacket.Question, lie: 'wrong-id' | 'wrong-question', withOpt: boolean): Buffer {
  const id = query.id ?? 0;
  const name = lie === 'wrong-question' ? `forged.${question.name}` : question.name;
  return dnsPacket.encode({
    type: 'response',
    id: lie === 'wrong-id' ? (id + 1) & 0xffff : id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ ...question, name }],
    answers: [{ type: 'A', name, ttl: 86400, data: FORGED_ADDRESS }],
    additionals: withOpt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0 } as dnsPacket.Answer] : [],
  });
}
