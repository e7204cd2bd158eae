import { emptyReply } from '../dns/replies.js';
import { HEADER_SIZE, readEdns, readQuestion } from '../dns/wire.js';
import { Rcode } from '../dns/types.js';
import type { ClientGroup, PacketMeta, Query } from '../model/query.js';

/** What to do with a packet: answer it through the pipeline, reply at once, or drop it. */
export type Decoded =
  | { readonly kind: 'query'; readonly query: Query }
  | { readonly kind: 'reply'; readonly reply: Buffer; readonly reason: string }
  | { readonly kind: 'drop'; readonly reason: string };

/**
 * Reads a client packet from raw bytes (the fast path: no full decode).
 * Unreadable header or a response: dropped. Opcode other than QUERY: NOTIMP.
 * QDCOUNT other than 1 or a malformed question or OPT: FORMERR. `groupOf`
 * names the client's group (server/client-groups.ts); without it, none is set.
 */
export function decodeQuery(raw: Buffer, meta: PacketMeta, groupOf?: (client: string, listener: string) => ClientGroup): Decoded {
  if (raw.length < HEADER_SIZE) return { kind: 'drop', reason: 'shorter than a DNS header' };
  if ((raw[2]! & 0x80) !== 0) return { kind: 'drop', reason: 'a response, not a query' };
  const opcode = (raw[2]! >> 3) & 0x0f;
  if (opcode !== 0) return { kind: 'reply', reply: emptyReply(raw, Rcode.NOTIMP), reason: `opcode ${opcode}` };
  if (raw.readUInt16BE(4) !== 1) return { kind: 'reply', reply: emptyReply(raw, Rcode.FORMERR), reason: `QDCOUNT ${raw.readUInt16BE(4)}` };
  const read = readQuestion(raw);
  if (read === null) return { kind: 'reply', reply: emptyReply(raw, Rcode.FORMERR), reason: 'malformed question' };
  const edns = readEdns(raw, read.end);
  if (!edns.ok) return { kind: 'reply', reply: emptyReply(raw, Rcode.FORMERR), reason: 'malformed records or OPT' };
  const query: Query = {
    raw,
    id: raw.readUInt16BE(0),
    rd: (raw[2]! & 0x01) !== 0,
    cd: (raw[3]! & 0x10) !== 0,
    question: read.question,
    questionEnd: read.end,
    edns: edns.edns,
    client: meta.client,
    transport: meta.transport,
    listener: meta.listener,
    // Always present, so every Query has one shape.
    group: groupOf === undefined ? undefined : groupOf(meta.client.address, meta.listener),
  };
  return { kind: 'query', query };
}
