/**
 * One round of a workload: the answers checked, then each server's capacity run and, at half of the slower
 * server's capacity of this round (a rate both can keep, so that p99 is a latency and not a queue), each server's
 * latency run; the servers take turns in `order` (alternating from round
 * to round, so that neither always runs on a machine the other has just warmed or disturbed). Each run has a query
 * file of its own: its unique names were never asked before.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { recordsText } from '../lib/block-records.js';
import type { MillionZone } from '../lib/million-zone.js';
import { answersAgree } from './agree.js';
import { capacityRun, rateRun, type RateFigures, type RunFigures } from './measure.js';
import { writeMix, type Mix } from './mixes.js';
import type { Server } from './servers.js';
import { label, LINES_PER_SECOND, RATE_SHARE, SECONDS, TMP } from './settings.js';

/** One server's figures in one round. */
export interface ServerRound {
  readonly capacity: RunFigures;
  readonly atRate: RateFigures;
}

/** One round's figures: the order the servers ran in, and each one's. */
export interface Round {
  readonly round: number;
  readonly order: ReadonlyArray<Server['kind']>;
  readonly agree: string;
  readonly unbound: ServerRound;
  readonly stopzone: ServerRound;
}

/** Runs round `round` (1-based) of workload `name` on `servers` ([unbound, stopzone]). */
export async function runRound(name: string, mix: Mix, round: number, servers: readonly [Server, Server], zone: MillionZone | null, seed: number): Promise<Round> {
  const order = round % 2 === 1 ? servers : ([servers[1], servers[0]] as const);
  const agree = await answersAgree(servers, round, zone);
  const capacityFile = join(TMP, `${name}-${round}-capacity.txt`);
  writeMix(capacityFile, mix, SECONDS * LINES_PER_SECOND, `${name}${round}c`, seed, zone);
  const capacity = new Map<Server['kind'], RunFigures>();
  for (const server of order) {
    capacity.set(server.kind, await capacityRun(server, capacityFile, `${name}-${round}-capacity-${server.kind}`));
    console.log(`${name} round ${round}: ${label(server.kind)} capacity ${line(capacity.get(server.kind)!)}`);
  }
  rmSync(capacityFile);

  const rate = Math.max(1, Math.round(Math.min(capacity.get('unbound')!.qps, capacity.get('stopzone')!.qps) * RATE_SHARE));
  const rateFile = join(TMP, `${name}-${round}-rate.txt`);
  writeMix(rateFile, mix, Math.ceil(rate * SECONDS * 1.2) + 1000, `${name}${round}r`, seed + 1, zone);
  const atRate = new Map<Server['kind'], RateFigures>();
  for (const server of order) {
    atRate.set(server.kind, await rateRun(server, rateFile, rate, `${name}-${round}-rate-${server.kind}`));
    console.log(`${name} round ${round}: ${label(server.kind)} at ${rate} qps: p99 ${atRate.get(server.kind)!.p99.toFixed(2)} ms, ${line(atRate.get(server.kind)!)}`);
  }
  rmSync(rateFile);
  const of = (kind: Server['kind']): ServerRound => ({ capacity: capacity.get(kind)!, atRate: atRate.get(kind)! });
  return { round, order: order.map((s) => s.kind), agree, unbound: of('unbound'), stopzone: of('stopzone') };
}

/** A run in one line, for the progress log. */
function line(run: RunFigures): string {
  return `${run.qps.toFixed(0)} qps, ${run.cpuUs.toFixed(1)} µs CPU/query (${run.cpuPercent.toFixed(0)} % CPU, waited ${run.waitPercent.toFixed(0)} %), lost ${run.lost} (dropped at its socket ${run.socketDrops}, on the machine ${run.machineDrops}), ${run.rcodes}${run.endOfFile ? ', END OF FILE' : ''}${run.records === null ? '' : `; ${recordsText(run.records)}`}${run.threads === null ? '' : `; CPU ms by thread: ${run.threads}`}`;
}
