import { isDeepStrictEqual } from 'node:util';
import type { Config } from './schema.js';

/**
 * What SIGHUP applies while serving: the client groups, the schedules and each zone's `groups` list
 * (issue 19). Every other key is read once at start-up (listeners, caches, upstream pools, zone sources).
 */
export const RELOADED_KEYS = ['groups', 'schedules', 'policy.zones[].groups'] as const;

/**
 * The keys whose values differ between the config in force since start-up and a reloaded one, outside
 * RELOADED_KEYS: those take effect only on a restart, and the reload says so. Zones are compared by
 * name (`policy.zones.<name>.<key>`); one added or removed, or the order changed, is `policy.zones`.
 */
export function restartOnlyChanges(started: Config, next: Config): string[] {
  const changed: string[] = [];
  for (const key of Object.keys({ ...started, ...next }) as Array<keyof Config>) {
    if (key === 'groups' || key === 'schedules' || key === 'policy') continue;
    if (!isDeepStrictEqual(started[key], next[key])) changed.push(key);
  }
  const { zones: startedZones, ...startedPolicy } = started.policy;
  const { zones: nextZones, ...nextPolicy } = next.policy;
  for (const key of Object.keys({ ...startedPolicy, ...nextPolicy }) as Array<keyof typeof startedPolicy>) {
    if (!isDeepStrictEqual(startedPolicy[key], nextPolicy[key])) changed.push(`policy.${key}`);
  }
  const names = (zones: Config['policy']['zones']): string[] => zones.map((zone) => zone.name);
  if (!isDeepStrictEqual(names(startedZones), names(nextZones))) changed.push('policy.zones');
  for (const zone of startedZones) {
    const { groups: _startedGroups, ...was } = zone;
    const now = nextZones.find((candidate) => candidate.name === zone.name);
    if (now === undefined) continue;
    const { groups: _nextGroups, ...is } = now;
    for (const key of Object.keys({ ...was, ...is }) as Array<keyof typeof was>) {
      if (!isDeepStrictEqual(was[key], is[key])) changed.push(`policy.zones.${zone.name}.${key}`);
    }
  }
  return changed;
}
