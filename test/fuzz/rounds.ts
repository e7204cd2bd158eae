import type { Campaign } from './campaign.js';
import { clientRound, type ClientRoundOptions } from './client-round.js';
import { httpRound } from './http-round.js';
import { listRound, zoneRound } from './text-rounds.js';
import { transferRound } from './transfer-round.js';
import { upstreamRound } from './upstream-round.js';

/** Every round's options (each takes what it needs). */
export type AnyRoundOptions = ClientRoundOptions;

/** The fuzz targets: each round, with its count for the long run and for CI. */
export const ROUNDS = {
  client: { run: clientRound, longCount: 10_000_000, ciCount: 5_000 },
  upstream: { run: upstreamRound, longCount: 1_000_000, ciCount: 1_000 },
  zone: { run: zoneRound, longCount: 1_000_000, ciCount: 1_000 },
  list: { run: listRound, longCount: 1_000_000, ciCount: 800 },
  transfer: { run: transferRound, longCount: 1_000_000, ciCount: 600 },
  http: { run: httpRound, longCount: 1_000_000, ciCount: 800 },
} as const;

export type TargetName = keyof typeof ROUNDS;

/** Runs one target's round. */
export function runRound(target: TargetName, options: AnyRoundOptions): Promise<Campaign> {
  return ROUNDS[target].run(options);
}
