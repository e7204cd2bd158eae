import type { Endpoint } from '../config/address.js';
import { restartOnlyChanges } from '../config/restart-only.js';
import type { Config } from '../config/schema.js';
import { ClientGroups } from './client-groups.js';
import { setIndexOf } from './upstream-sets.js';

/** What a reload (SIGHUP) did with a new config. */
export type Reconfigured =
  | {
      readonly applied: true;
      /** Keys that differ from the config in force since start-up and wait for a restart (config/restart-only.ts). */
      readonly restartNeeded: readonly string[];
    }
  | { readonly applied: false; readonly reason: string };

/** The new config's client groups, ready to match, with each group's upstream set among those running. */
export interface Regroup {
  readonly groups: ClientGroups;
  readonly restartNeeded: readonly string[];
}

/**
 * Plans putting a reloaded config's groups and schedules in force while serving. Refused (with the key and
 * the reason) when a group names upstreams that no set running since start-up has: each set has its own
 * pool and answer cache, built at start-up. Every other change outside the groups, the schedules and the
 * zones' groups lists is listed as waiting for a restart.
 */
export function planRegroup(started: Config, next: Config, runningSets: ReadonlyArray<readonly Endpoint[]>): Regroup | { readonly refused: string } {
  const setOf: number[] = [];
  for (const [index, group] of next.groups.entries()) {
    const set = group.upstreams === undefined ? 0 : setIndexOf(runningSets, group.upstreams);
    if (set < 0) {
      const listed = group.upstreams!.map((upstream) => upstream.label).join(', ');
      return { refused: `groups.${index - 1}.upstreams: group "${group.name}" names upstreams (${listed}) that no group had at start-up; a new set of upstreams gets its own pool and cache, so it needs a restart` };
    }
    setOf.push(set);
  }
  return { groups: new ClientGroups(next.groups, setOf), restartNeeded: restartOnlyChanges(started, next) };
}
