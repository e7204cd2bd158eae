import { compileSchedule, ScheduleError, type Schedule, type ZoneWhen } from '../schedule/index.js';
import { endpointExpected, networkMaxBits, parseEndpoint, parseNetwork, type Endpoint, type Network } from './address.js';
import type { MeaningProblem } from './check-meaning.js';
import { DEFAULT_GROUP, type GroupConfig, type RawConfig } from './schema.js';

type RawZoneGroups = NonNullable<RawConfig['policy']['zones'][number]['groups']>;

/** What read-groups gives the loader: groups ("default" first), compiled schedules, and each zone's rule per group. */
export interface ReadGroups {
  readonly groups: GroupConfig[];
  readonly schedules: Record<string, Schedule>;
  readonly zoneGroups: ReadonlyArray<readonly ZoneWhen[]>;
}

/**
 * Parses the client groups (networks, own upstreams), compiles the schedules (a ScheduleError becomes a problem at `schedules.NAME.<path>`)
 * and turns each zone's `groups` list into one ZoneWhen per group, by group index ("default" is 0). Refuses
 * unknown or repeated names, a group that matches nothing, a listener Stopzone does not listen on, and a legal
 * zone (page.legal) that would leave a group out at some hour.
 */
export function readGroups(config: RawConfig): ReadGroups | MeaningProblem {
  const groups: GroupConfig[] = [{ name: DEFAULT_GROUP }];
  const listening = new Set(config.listen.addresses.map(canonical));
  for (const [i, group] of config.groups.entries()) {
    const path = ['groups', String(i)];
    if (groups.some((known) => known.name === group.name)) {
      return { path: [...path, 'name'], value: group.name, expected: group.name === DEFAULT_GROUP ? 'a name other than "default", the group of every client no group matches' : 'a name no earlier group has' };
    }
    if (group.clients === undefined && group.listeners === undefined) return { path, value: group.name, expected: 'clients, listeners or both: a group that names neither would take every client' };
    const clients: Network[] = [];
    for (const [j, text] of (group.clients ?? []).entries()) {
      const network = parseNetwork(text);
      if (network === null) return { path: [...path, 'clients', String(j)], value: text, expected: `an address or a network like "192.0.2.0/24" or "2001:db8::/32" (prefix at most ${networkMaxBits(text)})` };
      clients.push(network);
    }
    const listeners = (group.listeners ?? []).map(canonical);
    const unknown = listeners.findIndex((address) => !listening.has(address));
    if (unknown >= 0) {
      return { path: [...path, 'listeners', String(unknown)], value: group.listeners![unknown], expected: `one of listen.addresses (${config.listen.addresses.join(', ')}): the local address a query arrives on is known only for an address Stopzone binds itself` };
    }
    const upstreams: Endpoint[] = [];
    for (const [j, text] of (group.upstreams ?? []).entries()) {
      const upstream = parseEndpoint(text);
      if (upstream === null) return { path: [...path, 'upstreams', String(j)], value: text, expected: endpointExpected() };
      upstreams.push(upstream);
    }
    groups.push({ name: group.name, ...(group.clients !== undefined && { clients }), ...(group.listeners !== undefined && { listeners }), ...(group.upstreams !== undefined && { upstreams }) });
  }
  const schedules: Record<string, Schedule> = {};
  for (const [name, input] of Object.entries(config.schedules)) {
    try {
      schedules[name] = compileSchedule({ name, ...input });
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      return { path: ['schedules', name, ...error.path], value: error.value, expected: error.expected };
    }
  }
  const zoneGroups: Array<readonly ZoneWhen[]> = [];
  for (const [i, zone] of config.policy.zones.entries()) {
    const read = zoneWhen(zone.groups, ['policy', 'zones', String(i), 'groups'], groups, schedules);
    if (!Array.isArray(read)) return read;
    if (zone.page.legal && read.some((when) => when !== 'always')) {
      const left = groups.filter((_, g) => read[g] !== 'always').map((group) => group.name);
      return {
        path: ['policy', 'zones', String(i), 'groups'],
        value: zone.groups,
        expected: `every group (${groups.map((g) => g.name).join(', ')}) at every hour, or no groups key: zone "${zone.name}" has page.legal true, a list imposed by law that no group may escape, and this list leaves out ${left.join(', ')}`,
      };
    }
    zoneGroups.push(read);
  }
  return { groups, schedules, zoneGroups };
}

/** One zone's `groups` list as a rule per group; left out, every group at every hour. */
function zoneWhen(list: RawZoneGroups | undefined, path: string[], groups: readonly GroupConfig[], schedules: Readonly<Record<string, Schedule>>): ZoneWhen[] | MeaningProblem {
  if (list === undefined) return groups.map(() => 'always');
  const rules: ZoneWhen[] = groups.map(() => 'never');
  const names = groups.map((group) => group.name);
  for (const [j, entry] of list.entries()) {
    const here = [...path, String(j)];
    const name = typeof entry === 'string' ? entry : entry.name;
    const index = names.indexOf(name);
    if (index < 0) return { path: typeof entry === 'string' ? here : [...here, 'name'], value: name, expected: `the name of a group (${names.join(', ')})` };
    if (rules[index] !== 'never') return { path: here, value: name, expected: `each group once in a zone's groups list ("${name}" is listed before)` };
    if (typeof entry === 'string') {
      rules[index] = 'always';
      continue;
    }
    if (entry.during !== undefined && entry.outside !== undefined) return { path: [...here, 'outside'], value: entry.outside, expected: 'during or outside, not both' };
    const key = entry.during !== undefined ? 'during' : entry.outside !== undefined ? 'outside' : null;
    if (key === null) {
      rules[index] = 'always';
      continue;
    }
    const schedule = schedules[entry[key]!];
    if (schedule === undefined) return { path: [...here, key], value: entry[key], expected: `the name of a schedule (${Object.keys(schedules).join(', ') || 'none defined under schedules'})` };
    rules[index] = key === 'during' ? { during: schedule } : { outside: schedule };
  }
  return rules;
}

/** An IPv6 address in the compressed form (RFC 5952) Node reports a bound socket's address in; IPv4 unchanged. */
function canonical(address: string): string {
  return address.includes(':') ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}
