/** Stopzone under test in the reload benchmark: its own process on the server CPU, its log in a file followed. */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/daemon.js';
import { ADDR, type Proc } from '../lib/processes.js';
import { startStopzoneProcess } from '../lib/stopzone-launch.js';
import { LogFollower, type LogEvent } from '../lib/stopzone-log.js';
import { digStatus } from './peers.js';
import { CACHE_ENTRIES, EXTRA_YAML, SERVER_CPU, TMP } from './settings.js';

/** A running Stopzone: its process, ports, log, and its "stopzone serving" line. */
export interface Stopzone {
  readonly proc: Proc;
  readonly port: number;
  /** "127.0.0.1:port" of its admin listener (/metrics). */
  readonly admin: string;
  readonly log: LogFollower;
  readonly serving: LogEvent;
  readonly startedAt: number;
}

/** Starts Stopzone on 127.0.0.1:`port` with `upstream` its only upstream and `zoneYaml` its policy; resolves once it serves and answers. */
export async function startStopzone(label: string, port: number, upstream: string, zoneYaml: string, logSuffix = ''): Promise<Stopzone> {
  const admin = `${ADDR}:${await freePort()}`;
  const config = join(TMP, `stopzone-${label}.yaml`);
  writeFileSync(
    config,
    `listen: { addresses: ["${ADDR}"], port: ${port} }
upstreams: ["${upstream}"]
log: { level: info }
stopPage: { enabled: false }
admin: { listen: ["${admin}"] }
state: { dir: "${join(TMP, `state-${label}`)}" }
# Capped and filled before the measurement, so that its memory is steady (see bench/reload/warm.ts).
cache: { maxEntries: ${CACHE_ENTRIES} }
${zoneYaml}
${EXTRA_YAML}
`,
  );
  const logPath = join(TMP, `stopzone-${label}${logSuffix}.log`);
  const out = openSync(logPath, 'w');
  const startedAt = Date.now();
  const proc = startStopzoneProcess({ name: `stopzone ${label}`, cpu: SERVER_CPU, config, output: out });
  closeSync(out);
  const log = new LogFollower(logPath);
  const serving = await log.waitFor('"stopzone serving"', (e) => e.msg === 'stopzone serving', 300_000, proc);
  if ((await digStatus(port, 'host001.bench.test')) !== 'NOERROR') throw new Error(`Stopzone on port ${port} does not answer host001.bench.test`);
  return { proc, port, admin, log, serving, startedAt };
}
