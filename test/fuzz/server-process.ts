/**
 * The fuzzed Stopzone, in a process of its own (started by fuzz-server.ts):
 * its memory is its own, a crash is seen as the child's exit, and it runs on
 * the other core while the fuzzer generates. Reports unhandled rejections
 * and uncaught exceptions to the parent instead of dying on them, so one
 * run finds them all. Argument: the configuration YAML.
 */
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/observe/logger.js';
import { startServer } from '../../src/server/start-server.js';
import { assertLoopback, assertLoopbackAll } from '../helpers/loopback-guard.js';
import { settledMemory } from './memory.js';

const send = (message: Record<string, unknown>): void => void process.send?.(message);
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error)).slice(0, 4000);
process.on('unhandledRejection', (reason) => send({ op: 'fault', kind: 'unhandled rejection', detail: describe(reason) }));
process.on('uncaughtException', (error) => send({ op: 'fault', kind: 'uncaught exception', detail: describe(error) }));

const config = parseConfig(process.argv[2] ?? '', {}, 'fuzz config');
assertLoopbackAll([...config.upstreams, ...config.admin.listen, ...config.stopPage.http, ...config.stopPage.https]);
for (const address of config.listen.addresses) assertLoopback(address);

/** Log lines by level and message: warnings and errors the fuzzing caused are part of the report. */
const logCounts = new Map<string, number>();
const log = createLogger(
  config.log.level,
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        const { level, msg } = JSON.parse(line) as { level: number; msg: string };
        const key = `${level >= 50 ? 'error' : 'warn'}: ${msg}`;
        logCounts.set(key, (logCounts.get(key) ?? 0) + 1);
      }
      done();
    },
  }),
);
let blockLines = 0;
const blockLogSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) blockLines++;
    done();
  },
});

const server = await startServer({ config, log, blockLogSink });
process.on('message', (message: { op: string }) => {
  if (message.op === 'sample') {
    void settledMemory('server rss').then((memory) => send({ op: 'sample', ...memory, logs: Object.fromEntries(logCounts), blockLines }));
  } else if (message.op === 'close') {
    void server.close().then(() => {
      send({ op: 'closed' });
      process.disconnect();
    });
  }
});
send({ op: 'ready', dns: server.endpoints[0], admin: server.admin.endpoints, http: server.stopPage.http, https: server.stopPage.https });
