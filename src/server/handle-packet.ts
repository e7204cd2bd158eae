import type { Logger } from 'pino';
import { emptyReply } from '../dns/replies.js';
import { Rcode } from '../dns/types.js';
import type { PacketMeta } from '../model/query.js';
import { decodeQuery } from './decode-query.js';
import { answerEde } from './answer-ede.js';
import { finishAnswer, type FinishLimits } from './finish.js';
import { isPending } from '../runtime/awaitable.js';
import type { Answer, ClientGroup, Next, Query } from '../model/query.js';

/** The client group of a query from `client` arriving on `listener`. */
export type GroupOf = (client: string, listener: string) => ClientGroup;

/** Called once per query with its answer and the EDE code sent (null when none); metrics and the block log hook here. Must not throw. */
export type AnswerObserver = (query: Query, answer: Answer, ede: number | null) => void;

/** Answers a NOTIFY (opcode 4) request; null sends nothing. */
export type NotifyHandler = (raw: Buffer, meta: PacketMeta) => Buffer | null;

const OPCODE_NOTIFY = 4;

/**
 * The one error boundary: decodes a packet, runs the pipeline, and turns any
 * failure into SERVFAIL with a single debug line. NOTIFY requests go to
 * `notify` when given (NOTIMP otherwise). Gives the bytes to send, or null to
 * send nothing: at once when the pipeline answered at once (a cache hit, a
 * policy answer, a refusal, FORMERR), else a promise of them. Never throws,
 * never rejects. `groupOf` puts the client's group on each query, once.
 */
export function packetHandler(pipeline: Next, limits: FinishLimits, log: Logger, observe?: AnswerObserver, notify?: NotifyHandler, groupOf?: GroupOf) {
  const servfail = (query: Query, error: unknown): Answer => {
    if (log.isLevelEnabled('debug')) log.debug({ client: query.client.address, qname: query.question.name, err: String(error) }, 'SERVFAIL');
    return { message: emptyReply(query.raw, Rcode.SERVFAIL, query.questionEnd), source: 'local', rcode: Rcode.SERVFAIL };
  };
  const finish = (query: Query, answer: Answer): Buffer | null => {
    const ede = answerEde(answer, query.question.name, query.group);
    observe?.(query, answer, query.edns === null ? null : (ede?.code ?? null));
    try {
      return finishAnswer(query, answer, limits, ede?.option);
    } catch (error) {
      if (log.isLevelEnabled('debug')) log.debug({ client: query.client.address, qname: query.question.name, err: String(error) }, 'answer could not be finished');
      return finishAnswer(query, { message: emptyReply(query.raw, Rcode.SERVFAIL, query.questionEnd), source: 'local', rcode: Rcode.SERVFAIL }, limits);
    }
  };
  return function handlePacket(raw: Buffer, meta: PacketMeta): Buffer | null | Promise<Buffer | null> {
    if (notify !== undefined && raw.length >= 12 && (raw[2]! & 0x80) === 0 && ((raw[2]! >> 3) & 0x0f) === OPCODE_NOTIFY) {
      try {
        return notify(raw, meta);
      } catch (error) {
        if (log.isLevelEnabled('debug')) log.debug({ client: meta.client.address, err: String(error) }, 'bad NOTIFY');
        return emptyReply(raw, Rcode.FORMERR);
      }
    }
    const decoded = decodeQuery(raw, meta, groupOf);
    if (decoded.kind !== 'query') {
      if (log.isLevelEnabled('debug')) log.debug({ client: meta.client.address, transport: meta.transport, reason: decoded.reason }, 'bad packet');
      return decoded.kind === 'reply' ? decoded.reply : null;
    }
    const query = decoded.query;
    if (query.edns !== null && query.edns.version > 0) {
      return finish(query, { message: emptyReply(raw, Rcode.BADVERS, query.questionEnd), source: 'local', rcode: Rcode.BADVERS });
    }
    let answer;
    try {
      answer = pipeline(query);
    } catch (error) {
      return finish(query, servfail(query, error));
    }
    if (!isPending(answer)) return finish(query, answer);
    return answer.then(
      (answered) => finish(query, answered),
      (error: unknown) => finish(query, servfail(query, error)),
    );
  };
}

export type PacketHandler = ReturnType<typeof packetHandler>;
