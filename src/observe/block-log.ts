/// <reference path="../types/pino-roll.d.ts" />
import type { EventEmitter } from 'node:events';
import { fstatSync } from 'node:fs';
import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';
import type { Config } from '../config/schema.js';
import { ACTION_NAMES, ActionKind } from '../rpz/actions.js';
import type { PolicyHit } from '../rpz/policy-set.js';
import { TRIGGER_NAMES } from '../rpz/triggers.js';
import type { Answer, Query } from '../model/query.js';
import { referenceCode, type BlockEvent } from './block-event.js';
import { clientWriter } from './client-privacy.js';
import { blockLines } from './block-line.js';
import { watchFailures, type WatchedDestination } from './failing-destination.js';
import { LineBatch, linesIn, type BatchDestination } from './line-batch.js';

/** Whether stdout is a regular file (redirected to one), not a pipe, socket or terminal. */
function stdoutIsFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

/** A block-log event, or with `allQueries` a "query" event, as handed to a tap (its time beside it). */
export type TappedEvent = Omit<BlockEvent, 'msg'> & { readonly msg: BlockEvent['msg'] | 'query' };

/**
 * Where the block log also hands every event it writes (the event store): the same fields, the
 * client written the same way, and the event's time (epoch ms). The event is the block log's own:
 * read it, never keep it. With `allQueries`, every answer no policy rule decided is handed on
 * too, as msg "query" (zone, list, rule, trigger and ref empty; action: where the answer came from).
 */
export interface BlockLogTap {
  readonly event: (event: TappedEvent, time: number) => void;
  readonly allQueries: boolean;
}

/** A destination the block log ends on close (a SonicBoom stream). */
type ClosableStream = BatchDestination & WatchedDestination & EventEmitter & { end(): void };

/** Bytes per event assumed when bounding the write buffer. */
const EVENT_BYTES = 400;

/**
 * Lines are gathered into writes of whole lines of at most PIPE_WRITE_BYTES
 * (LineBatch), and a line waits at most FLUSH_MS. Every write goes through
 * libuv's thread pool, whose locks the answering thread shares with the pool's
 * low-priority threads: with one write per event (1,400 a second in the reload
 * benchmark), it slept on those locks some 500 times in a 15 s reload, up to 5
 * ms at a time, while a preempted pool thread held one (bench/HISTORY.md,
 * 2026-11-24). PIPE_WRITE_BYTES is PIPE_BUF: a write of whole lines that size or
 * less is atomic on a pipe (a container's stdout), so lines of the process log,
 * written to the same pipe by another stream, never land inside one of these.
 * When every destination is a regular file (the rotated file, stdout redirected
 * to one), where Linux never interleaves two writes, batches are up to
 * FILE_WRITE_BYTES: each write costs the answering thread some 14 µs whatever
 * its size (bench/README.md, hot-path.ts, "Larger writes to files").
 */
const PIPE_WRITE_BYTES = 4096;
const FILE_WRITE_BYTES = 65536;

/**
 * The largest batch for destinations that buffer at most `roomBytes` each: PIPE_BUF unless every one is a regular
 * file, and never more than an eighth of the room. A batch is gathered for up to FLUSH_MS before it is handed on,
 * and what it holds counts against the room meanwhile: with blockLog.bufferEvents at its least (100 events, some
 * 40 KB), a 64-KiB batch would fill the room while the disk sat idle, and lines would be dropped at any rate.
 */
export function batchBytes(allRegularFiles: boolean, roomBytes: number): number {
  if (!allRegularFiles) return PIPE_WRITE_BYTES;
  return Math.max(PIPE_WRITE_BYTES, Math.min(FILE_WRITE_BYTES, Math.floor(roomBytes / 8)));
}
const FLUSH_MS = 250;

/** Type numbers to names for the events (others: TYPE123). */
const QTYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY' };

/** Where lines go: the batch in front of the configured destinations, or a test's stream. */
interface LineSink {
  write(line: string): unknown;
}

/**
 * The block log: one JSON line per policy hit, as pino would write it (block-line.ts; docs/design.md, "Block log
 * event"). Writing never delays an answer: lines go to asynchronous
 * destinations with a bounded buffer, and what does not fit is dropped and
 * counted (`dropped`, in /metrics as stopzone_block_log_dropped_total). A line
 * reaches its destination within FLUSH_MS.
 */
export class BlockLog {
  readonly #out: LineSink;
  readonly #line = blockLines();
  readonly #client: (address: string) => string;
  /** Keys reference codes; the stop page computes the same codes with it. */
  readonly referenceKey: Buffer;
  readonly #passthru: boolean;
  readonly #streams: ClosableStream[];
  readonly #batch: LineBatch | null;
  readonly #tap: BlockLogTap | undefined;
  #dropped = 0;
  /** Events still on their way from worker threads, waited for before a flush. */
  #gather: () => Promise<void> = async () => {};

  private constructor(config: Config['blockLog'], key: Buffer, destination: LineSink, streams: ClosableStream[], tap: BlockLogTap | undefined) {
    this.#out = destination;
    this.#batch = destination instanceof LineBatch ? destination : null;
    this.#client = clientWriter(config.client, config.hashKey === undefined ? key : Buffer.from(config.hashKey));
    this.referenceKey = key;
    this.#passthru = config.passthru;
    this.#streams = streams;
    this.#tap = tap;
  }

  /**
   * Opens the configured destinations; `sink` replaces them (tests). `key` keys reference codes (and hashes without
   * hashKey). `tap` gets every event too. `log` (the process log) is told when a destination starts failing to write
   * and when it works again; the block log never stops the process.
   */
  static async open(config: Config['blockLog'], key: Buffer, sink?: Writable, tap?: BlockLogTap, log?: Pick<Logger, 'error' | 'info'>): Promise<BlockLog> {
    if (sink !== undefined) return new BlockLog(config, key, sink, [], tap);
    // SonicBoom writes what it is handed at once (minLength 1), one batch of whole lines at a time; flush waits for it.
    const maxLength = config.bufferEvents * EVENT_BYTES;
    const writeBytes = batchBytes(config.destination === 'file' || stdoutIsFile(), maxLength);
    const buffering = { sync: false, maxLength, minLength: 1, maxWrite: writeBytes };
    const streams: ClosableStream[] = [];
    const self = (): BlockLog => instance;
    if (config.destination !== 'file') streams.push(pino.destination({ fd: 1, ...buffering }) as unknown as ClosableStream);
    if (config.destination !== 'stdout') {
      streams.push(
        // A SonicBoom, as pino.destination's (pino-roll's types leave out its flushSync).
        (await pinoRoll({ file: config.file, size: pinoRollSize(config.rotateSize), frequency: config.rotateFrequency, limit: { count: config.keepFiles }, mkdir: true, ...buffering })) as unknown as ClosableStream,
      );
    }
    streams.forEach((stream, index) => {
      stream.on('drop', (batch: string) => self().#countDrop(linesIn(batch)));
      const destination = index === 0 && config.destination !== 'file' ? 'stdout' : config.file;
      watchFailures(stream, (failing) => {
        if (failing !== null) log?.error({ destination, reason: failing }, 'block log: cannot write; lines wait up to blockLog.bufferEvents, then are dropped and counted (stopzone_block_log_dropped_total); DNS answers as before');
        else log?.info({ destination }, 'block log writing again');
      });
    });
    const instance = new BlockLog(config, key, new LineBatch(streams, writeBytes, FLUSH_MS, maxLength), streams, tap);
    return instance;
  }

  /** Events dropped because the destination could not keep up. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Writes the events of one answered query: its hit, and the "would have" hits of disabled zones. */
  record(query: Query, answer: Answer, ede: number | null): void {
    if (answer.policy !== undefined) this.#write(query, answer.policy, ede);
    else if (this.#tap?.allQueries === true) this.#tapQuery(query, answer, ede);
    if (answer.wouldHave !== undefined) for (const hit of answer.wouldHave) this.#write(query, hit, null, 'would block');
  }

  /** The reference code the stop page shows for this client, name and rule. */
  referenceCode(client: string, qname: string, hit: PolicyHit, time: number): string {
    return referenceCode(this.referenceKey, client, qname, hit.zone.name, hit.via, time);
  }

  /** Resolves once every event recorded so far, and every one worker threads have sent so far (gatherFirst), is written to the destinations. */
  async flush(): Promise<void> {
    await this.#gather();
    await new Promise<void>((resolve) => (this.#batch === null ? resolve() : this.#batch.flush(() => resolve())));
  }

  /** `gather` hands over the events worker threads hold (the block log has one writer, this thread); flush waits for it first. */
  gatherFirst(gather: () => Promise<void>): void {
    this.#gather = gather;
  }

  /** Flushes what is buffered and closes the destinations; resolves once they are written and closed. */
  async close(): Promise<void> {
    await this.flush();
    this.#batch?.stop();
    await Promise.all(
      this.#streams.map(
        (stream) =>
          new Promise<void>((resolve) => {
            stream.once('close', () => resolve());
            stream.once('error', () => resolve());
            stream.end();
          }),
      ),
    );
  }

  #write(query: Query, hit: PolicyHit, ede: number | null, msg?: BlockEvent['msg']): void {
    if (!hit.settings.log) return;
    const passthru = hit.kind === ActionKind.PASSTHRU;
    if (passthru && !this.#passthru) return;
    const time = Date.now();
    const event: BlockEvent = {
      msg: msg ?? (passthru ? 'passthru' : 'blocked'),
      client: this.#client(query.client.address),
      qname: query.question.name,
      qtype: qtypeName(query.question.type),
      zone: hit.zone.name,
      list: hit.settings.logName,
      rule: hit.via,
      trigger: TRIGGER_NAMES[hit.trigger] ?? String(hit.trigger),
      action: ACTION_NAMES[hit.kind] ?? String(hit.kind),
      ede,
      listener: query.listener,
      transport: query.transport,
      group: query.group?.name ?? 'default',
      ref: referenceCode(this.referenceKey, query.client.address, query.question.name, hit.zone.name, hit.via, time),
      // Always present, so that every event has one shape; JSON.stringify leaves it out when it is undefined.
      address: hit.address,
    };
    // A line no destination has room for would be dropped once made: count it without making it (13 µs an event
    // under a flood of blocks, bench/README.md, solo.ts, "What a block event costs under load").
    if (this.#batch !== null && !this.#batch.hasRoom(EVENT_BYTES)) this.#dropped += this.#streams.length;
    else this.#out.write(this.#line(event, time, passthru));
    this.#tap?.event(event, time);
  }

  #tapQuery(query: Query, answer: Answer, ede: number | null): void {
    const event: TappedEvent = {
      msg: 'query',
      client: this.#client(query.client.address),
      qname: query.question.name,
      qtype: qtypeName(query.question.type),
      zone: '',
      list: '',
      rule: '',
      trigger: '',
      action: answer.source,
      ede,
      listener: query.listener,
      transport: query.transport,
      group: query.group?.name ?? 'default',
      ref: '',
    };
    this.#tap!.event(event, Date.now());
  }

  #countDrop(lines: number): void {
    this.#dropped += lines;
  }
}

/** A query type's name as events write it: "AAAA", or "TYPE123" for one without a name here. */
function qtypeName(type: number): string {
  return QTYPES[type] ?? `TYPE${type}`;
}

/**
 * blockLog.rotateSize (checked by the schema: 100m, 100MB, 100MiB, 512k, 1g,
 * 4096b, or a bare number of MiB) as pino-roll reads it: a number and one
 * letter, k, m or g (powers of 1024) or b.
 */
export function pinoRollSize(size: string | number): string {
  const match = /^([0-9.]+)\s*(?:([kmg])(?:i?b)?|(b))?$/i.exec(String(size));
  if (match === null) return String(size);
  return `${match[1]}${(match[2] ?? match[3] ?? 'm').toLowerCase()}`;
}
