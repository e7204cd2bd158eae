import type { Endpoint } from '../config/address.js';
import type { GroupConfig } from '../config/schema.js';

/** The distinct sets of upstreams a config uses, and which one each group's queries go to. */
export interface UpstreamSets {
  /** Set 0 is the top-level upstreams; each later one a distinct list some group names. */
  readonly sets: ReadonlyArray<readonly Endpoint[]>;
  /** By group index ("default" is 0): the index of the set its queries are forwarded to. */
  readonly setOf: readonly number[];
}

/**
 * Numbers the distinct upstream lists: groups that name the same list (same addresses and ports in the
 * same order, since order is the failover order) share one set, so one pool and one answer cache; a group
 * without its own list, or with a list equal to the top-level one, uses set 0.
 */
export function upstreamSets(defaults: readonly Endpoint[], groups: readonly GroupConfig[]): UpstreamSets {
  const sets: Array<readonly Endpoint[]> = [defaults];
  const setOf = groups.map((group) => {
    if (group.upstreams === undefined) return 0;
    const found = setIndexOf(sets, group.upstreams);
    if (found >= 0) return found;
    sets.push(group.upstreams);
    return sets.length - 1;
  });
  return { sets, setOf };
}

/** The index of the set equal to `list` (same endpoints, same order), or -1. */
export function setIndexOf(sets: ReadonlyArray<readonly Endpoint[]>, list: readonly Endpoint[]): number {
  const key = (endpoints: readonly Endpoint[]): string => endpoints.map((upstream) => `${upstream.host}|${upstream.port}`).join(' ');
  const wanted = key(list);
  return sets.findIndex((set) => key(set) === wanted);
}
