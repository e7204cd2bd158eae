import { queryBytes } from '../dns/query-bytes.js';
import type { Question } from '../dns/types.js';
import { HEADER_SIZE, readEdns, readQuestion } from '../dns/wire.js';

/**
 * What the engine reads of a client query. Stopzone's own `Query` has this
 * shape, so the server passes its query as it is (no copy per query); a host
 * with raw bytes builds one with readPolicyQuery.
 */
export interface PolicyQuery {
  /** The message as received; policy answers copy its header and question. */
  readonly raw: Buffer;
  /** The message ID in `raw`. */
  readonly id: number;
  /** Recursion desired (a redirect's target is asked with RD=1 whatever the client sent). */
  readonly rd: boolean;
  readonly question: Question;
  /** Offset in `raw` just past the question section. */
  readonly questionEnd: number;
  /** The query's EDNS: only the DO bit matters here (a zone's breakDnssec). */
  readonly edns: { readonly dnssecOk: boolean } | null;
  /** The client's address, for rpz-client-ip triggers. */
  readonly client: { readonly address: string };
  /** TCP-only answers TC=1 over UDP and passes over TCP. */
  readonly transport: 'udp' | 'tcp';
}

/**
 * A PolicyQuery from a client's raw message, for a host that has no decoder
 * of its own; null when the message is no single-question query or its
 * question or OPT cannot be read (answer it FORMERR or drop it).
 */
export function readPolicyQuery(raw: Buffer, clientAddress: string, transport: 'udp' | 'tcp'): PolicyQuery | null {
  if (raw.length < HEADER_SIZE || (raw[2]! & 0x80) !== 0 || raw.readUInt16BE(4) !== 1) return null;
  const read = readQuestion(raw);
  if (read === null) return null;
  const edns = readEdns(raw, read.end);
  if (!edns.ok) return null;
  const rd = (raw[2]! & 0x01) !== 0;
  return { raw, id: raw.readUInt16BE(0), rd, question: read.question, questionEnd: read.end, edns: edns.edns, client: { address: clientAddress }, transport };
}

/**
 * The query for a redirect's target (a walled garden, a local-data CNAME):
 * the client's query with the question replaced, ID 0 and RD=1, so that the
 * host resolves it through its cache and upstreams. Every other field of the
 * host's own query (its listener, its client) is kept.
 */
export function targetQuery<Q extends PolicyQuery>(query: Q, target: string): Q {
  const raw = queryBytes(target, query.question.type);
  const read = readQuestion(raw)!;
  return { ...query, raw, id: 0, rd: true, questionEnd: read.end, question: read.question };
}
