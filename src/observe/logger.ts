import pino, { type DestinationStream, type Logger } from 'pino';
import { watchFailures, type WatchedDestination } from './failing-destination.js';

/**
 * The process logger: pino JSON lines, asynchronous on stdout so that writing
 * a line never waits on the terminal or the container runtime. Tests pass
 * their own destination to read the lines back. A stdout that cannot be
 * written (a full disk under a redirect) is said once on stderr; it never ends
 * the process.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const stream = destination ?? stdout();
  return pino({ level, base: { name: 'stopzone' }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

function stdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false });
  watchFailures(stream as unknown as WatchedDestination, (failing) => {
    process.stderr.write(failing === null ? 'stopzone: the process log is written to stdout again\n' : `stopzone: cannot write the process log to stdout: ${failing}\n`);
  });
  return stream;
}
