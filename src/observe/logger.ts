import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The process logger: pino JSON lines, asynchronous on stdout so that writing
 * a line never waits on the terminal or the container runtime. Tests pass
 * their own destination to read the lines back.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const stream = destination ?? pino.destination({ dest: 1, sync: false });
  return pino({ level, base: { name: 'stopzone' }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}
