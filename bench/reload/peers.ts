/**
 * The reload benchmark's peers on 127.0.0.1: BIND, the primary of the ixfr scenario (its named.conf from
 * test/helpers/bind-primary.ts), pinned with taskset on the load CPU. Stopzone's upstream, NSD, is
 * bench/lib/bench-upstream.ts.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { primaryNamedConf } from '../../test/helpers/bind-primary.js';
import { dig } from '../../test/helpers/dig.js';
import { ADDR, alive, runPinned, startPinned, type Proc } from '../lib/processes.js';
import { writeZone } from './names.js';
import { LOAD_CPU, NOTIFY_MODE, TMP, ZONE } from './settings.js';

/** The rcode dig reports for `name` A at 127.0.0.1:port, or "no answer (...)". */
export async function digStatus(port: number, name: string): Promise<string> {
  const output = await dig({ address: ADDR, port }, ['+time=2', name, 'A']);
  return /status: (\w+)/.exec(output)?.[1] ?? `no answer (${output.trim().split('\n').pop() ?? ''})`;
}

/** The TSIG key BIND and Stopzone share for the transfers, the updates and the NOTIFY. */
export const KEY = { name: 'bench-key', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') } as const;
/** The key as nsupdate -y and dig -y take it. */
export const KEY_ARG = `${KEY.algorithm}:${KEY.name}:${KEY.secret}`;

/**
 * named as the primary of the 1,000,000-trigger zone (version 1) on `port`; resolves once it serves serial 1,
 * with how long that took (a zone this big takes named many seconds: longer than test/helpers/daemon.ts waits).
 */
export async function startBind(port: number, stopzonePort: number): Promise<{ proc: Proc; seconds: number }> {
  const dir = join(TMP, 'bind');
  mkdirSync(dir);
  await writeZone(join(dir, 'policy.zone'), 1, 1);
  // once: BIND sends no NOTIFY; the scenario sends one (signed, from 127.0.0.1) after all 10 updates. each: BIND
  // notifies Stopzone after every update, as a primary fed by a stream of changes would.
  writeFileSync(join(dir, 'named.conf'), primaryNamedConf({ dir, port, zone: ZONE, key: KEY, notify: NOTIFY_MODE === 'each' ? [`${ADDR}:${stopzonePort}`] : null }));
  const logPath = join(TMP, 'named.log');
  const log = openSync(logPath, 'w');
  const started = Date.now();
  const proc = startPinned('named', LOAD_CPU, 'named', ['-f', '-n', '1', '-c', join(dir, 'named.conf')], { out: log, err: log });
  closeSync(log);
  for (let i = 0; i < 1200; i++) {
    if (!alive(proc)) throw new Error(`named exited during start-up:\n${readFileSync(logPath, 'utf8')}`);
    const soa = await runPinned(LOAD_CPU, 'dig', ['+tries=1', '+time=1', '+short', '-p', String(port), `@${ADDR}`, ZONE, 'SOA']);
    if (/ 1 3600 600 86400 60/.test(soa.stdout)) return { proc, seconds: (Date.now() - started) / 1000 };
    await sleep(100);
  }
  throw new Error(`named did not serve ${ZONE} within 120 s:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
}

/** The end of named's log, for an error message. */
export const namedLogTail = (): string => readFileSync(join(TMP, 'named.log'), 'utf8').slice(-3000);
