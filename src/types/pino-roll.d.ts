/** pino-roll ships no typings: the part Stopzone uses. It returns a SonicBoom stream (options pass through to it). */
declare module 'pino-roll' {
  import type { EventEmitter } from 'node:events';
  import type { DestinationStream } from 'pino';
  type RollStream = DestinationStream & EventEmitter & { end(): void; flush(cb?: (err?: Error) => void): void };
  export default function pinoRoll(options: Record<string, unknown>): Promise<RollStream>;
}
