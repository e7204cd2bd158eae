import dnsPacket from 'dns-packet';
import type { Answer, Query } from '../../src/model/query.js';
import { decodeQuery } from '../../src/server/decode-query.js';
import { buildQuery } from './dns-client.js';

/** A decoded query as a stage receives it: `name` type A from `client`, over `transport`, with EDNS. */
export function stageQuery(name: string, options: { client?: string; transport?: 'udp' | 'tcp'; rd?: boolean; dnssecOk?: boolean } = {}): Query {
  const raw = buildQuery(name, { bufsize: 1232, ...(options.rd === false && { rd: false }), ...(options.dnssecOk && { dnssecOk: true }) });
  const decoded = decodeQuery(raw, { client: { address: options.client ?? '127.0.0.1', port: 5300 }, transport: options.transport ?? 'udp', listener: 'test' });
  if (decoded.kind !== 'query') throw new Error(`not a query: ${name}`);
  return decoded.query;
}

/** An upstream's answer for `name`: one A record with `ttl`. */
export function upstreamAnswer(name: string, ttl = 300, address = '192.0.2.1'): Answer {
  const message = dnsPacket.encode({ type: 'response', id: 0, flags: 0x8180, questions: [{ name, type: 'A', class: 'IN' }], answers: [{ type: 'A', name, ttl, data: address }] });
  return { message, source: 'upstream', rcode: 0, upstream: '127.0.0.1:5300' };
}

/** A fake `next` stage that records the names it was asked and answers with `answer` (or throws it when an Error). */
export function recordingNext(answer: Answer | Error) {
  const seen: string[] = [];
  return {
    seen,
    next: async (query: Query): Promise<Answer> => {
      seen.push(query.question.lname);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}
