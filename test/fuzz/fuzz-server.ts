import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertLoopbackAll } from '../helpers/loopback-guard.js';

const CHILD = fileURLToPath(new URL('./server-process.ts', import.meta.url));

/** A sample of the server's state. */
export interface ServerSample {
  readonly rss: number;
  /** V8 heap and external memory in use. */
  readonly heap: number;
  readonly bound: 'server rss';
  /** Warning and error log lines by message. */
  readonly logs: Record<string, number>;
  readonly blockLines: number;
}

/** Something that went wrong in the server process itself. */
export interface ServerFault {
  readonly kind: string;
  readonly detail: string;
}

/** The fuzzed server process, as the runners see it. */
export interface FuzzServer {
  readonly dns: { address: string; port: number };
  readonly admin: string[];
  readonly http: string[];
  readonly https: string[];
  /** Unhandled rejections, uncaught exceptions and an unexpected exit, as they happen. */
  readonly faults: ServerFault[];
  sample(): Promise<ServerSample>;
  close(): Promise<void>;
}

/**
 * Starts server-process.ts with the loader this process runs under (tap's
 * TypeScript import) and waits until it answers; rejects with its output
 * when it fails to start.
 */
export async function startFuzzServer(yaml: string): Promise<FuzzServer> {
  const child = fork(CHILD, [yaml], { execArgv: process.execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const faults: ServerFault[] = [];
  let closing = false;
  const samples: Array<(sample: ServerSample) => void> = [];
  const ready = new Promise<{ dns: FuzzServer['dns']; admin: string[]; http: string[]; https: string[] }>((resolve, reject) => {
    child.on('message', (message: { op: string } & Record<string, unknown>) => {
      if (message.op === 'ready') resolve(message as never);
      else if (message.op === 'fault') faults.push({ kind: String(message.kind), detail: String(message.detail) });
      else if (message.op === 'sample') samples.shift()?.(message as never);
    });
    child.once('exit', (code, signal) => {
      if (!closing) faults.push({ kind: 'server process exited', detail: `code ${code}, signal ${signal}; its last output:\n${output}` });
      for (const waiting of samples.splice(0)) waiting({ rss: Number.NaN, heap: Number.NaN, bound: 'server rss', logs: {}, blockLines: 0 });
      reject(new Error(`the fuzzed server exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    });
  });
  const started = await ready;
  // The fuzzers send wherever the server says it listens: only ever loopback.
  assertLoopbackAll([started.dns.address, ...started.admin, ...started.http, ...started.https]);
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    ...started,
    faults,
    sample: () =>
      new Promise((resolve) => {
        if (!child.connected) return resolve({ rss: Number.NaN, heap: Number.NaN, bound: 'server rss', logs: {}, blockLines: 0 });
        samples.push(resolve);
        child.send({ op: 'sample' });
      }),
    close: async () => {
      closing = true;
      if (child.connected) child.send({ op: 'close' });
      const timer = setTimeout(() => killChild(child), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killChild(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGKILL');
}
