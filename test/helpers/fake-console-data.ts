import { referenceCode } from '../../src/observe/block-event.js';
import type { ZoneStatus } from '../../src/model/zone-status.js';
import { prng } from './prng.js';

/**
 * A FAKE of the console API's data, for the page tests before the real store and API exist: canned block
 * events, and a tiny policy (zones in precedence order with their names and groups) that answers "why"
 * and takes allow/block rules, all consistent with each other (the dashboard counts the events; "why"
 * names the zone, list and rule the events carry). The shapes are the contract of docs/console.md.
 */

/** One event as GET /api/events returns it (StoredEvent of src/store/event-store.ts). */
export interface FakeEvent {
  id: number; time: number; msg: 'blocked' | 'would block' | 'passthru' | 'query'; ref: string; client: string; qname: string; qtype: string;
  zone: string; list: string; rule: string; trigger: string; action: string; group: string; ede: number | null; transport: 'udp' | 'tcp'; listener: string;
}

/** A policy zone of the fake: the owners it lists, for whom, and how it is loaded. */
export interface FakeZone {
  readonly name: string;
  readonly list: string;
  readonly action: string;
  readonly owners: string[];
  readonly groups?: readonly string[];
  readonly schedule?: string;
  readonly status: Omit<ZoneStatus, 'name' | 'rules'>;
}

const HOUR = 3_600_000;
const file = (path: string) => ({ kind: 'file' as const, source: path, file: path, format: 'rpz', lastTransfer: null, nextAttempt: null, expired: false });

/** The fake's zones, first match wins (as policy.zones): the console's allow and block zones come first. */
export function fakeZones(now: number): FakeZone[] {
  const loaded = { serial: '2026030501', lastAttempt: now - 20 * 60_000, lastSuccess: now - 20 * 60_000, lastError: null };
  return [
    { name: 'allow.rpz', list: 'Local allow list', action: 'passthru', owners: [], status: { ...file('zones/allow.rpz'), ...loaded } },
    { name: 'local.rpz', list: 'Local block list', action: 'nxdomain', owners: [], status: { ...file('zones/local.rpz'), ...loaded } },
    {
      name: 'ads.rpz', list: 'Ads and trackers', action: 'nxdomain', owners: ['ads.example', 'tracker.example', '*.tracker.example', '<script>alert(1)</script>.evil.example'],
      status: { ...file('/var/lib/stopzone/ads.rpz'), kind: 'url', source: 'https://lists.example/ads.rpz', ...loaded, nextAttempt: now + 40 * 60_000, lastTransfer: { kind: 'download', from: 'https://lists.example/ads.rpz', bytes: 182_113, ms: 412 } },
    },
    {
      name: 'gambling.rpz', list: 'Gambling', action: 'stop-page', owners: ['casino.example', 'poker.example'],
      status: { ...file('/var/lib/stopzone/gambling.rpz'), kind: 'primaries', source: '127.0.0.1:5300', ...loaded, lastAttempt: now - 5 * 60_000, lastError: 'transfer from 127.0.0.1:5300: timed out after 10 s', nextAttempt: now + 5 * 60_000 },
    },
    { name: 'games.rpz', list: 'Games in lessons', action: 'stop-page', owners: ['games.example', '*.games.example'], groups: ['students'], schedule: 'lessons: Mon-Fri 08:00-15:30', status: { ...file('zones/games.rpz'), ...loaded } },
  ];
}

/** The group a fake client is in: 10.0.1.x students, 10.0.2.x staff, others default. */
export function fakeGroup(client: string): string {
  return client.startsWith('10.0.1.') ? 'students' : client.startsWith('10.0.2.') ? 'staff' : 'default';
}

/** The zone of `zones` that decides `name` for `group`, and the owner that matched (exact name before wildcard, as RPZ). */
export function fakeMatch(zones: readonly FakeZone[], name: string, group: string): { zone: FakeZone; owner: string } | null {
  const lower = name.toLowerCase().replace(/\.$/, '');
  for (const zone of zones) {
    if (zone.groups !== undefined && !zone.groups.includes(group)) continue;
    if (zone.owners.includes(lower)) return { zone, owner: lower };
    const labels = lower.split('.');
    for (let i = 1; i < labels.length; i++) {
      const wildcard = `*.${labels.slice(i).join('.')}`;
      if (zone.owners.includes(wildcard)) return { zone, owner: wildcard };
    }
  }
  return null;
}

/**
 * `count` block events over the 7 days before `now` (a third of them in the last 24 hours), from a fixed seed,
 * oldest first with ids ascending; each one is what the fake policy decides for its name and client.
 */
export function fakeEvents(now: number, count = 400, seed = 20): FakeEvent[] {
  const random = prng(seed);
  const zones = fakeZones(now);
  const names = ['ads.example', 'tracker.example', 'cdn.tracker.example', 'casino.example', 'poker.example', 'games.example', 'play.games.example', '<script>alert(1)</script>.evil.example'];
  const weights = [30, 22, 12, 8, 4, 14, 9, 1];
  const clients = ['10.0.1.11', '10.0.1.12', '10.0.1.23', '10.0.1.40', '10.0.2.5', '10.0.2.9', '10.0.3.7'];
  const events: FakeEvent[] = [];
  while (events.length < count) {
    let pick = random() * weights.reduce((a, b) => a + b, 0);
    const qname = names.find((_, i) => (pick -= weights[i]!) < 0) ?? names[0]!;
    const client = clients[Math.floor(random() * clients.length)]!;
    const group = fakeGroup(client);
    const match = fakeMatch(zones, qname, group);
    if (match === null) continue; // games.example for a non-student: not blocked, so no event
    const recent = random() < 1 / 3;
    const time = Math.floor(now - 60_000 - random() * (recent ? 23 * HOUR : 7 * 24 * HOUR - 2 * 60_000));
    events.push({
      id: 0, time, msg: 'blocked', ref: referenceCode('fake console key', client, qname, match.zone.name, match.owner, time), client, qname, qtype: random() < 0.7 ? 'A' : 'AAAA',
      zone: match.zone.name, list: match.zone.list, rule: match.owner, trigger: 'qname', action: match.zone.action, group,
      ede: match.zone.action === 'nxdomain' ? 15 : 17, transport: random() < 0.9 ? 'udp' : 'tcp', listener: '10.0.0.1:53',
    });
  }
  events.sort((a, b) => a.time - b.time);
  events.forEach((event, i) => (event.id = i + 1));
  return events;
}

/** Counts per hour for the `hours` hours up to the current one; `hour` is the start of each hour in ms. */
export function perHour(events: readonly FakeEvent[], now: number, hours: number): Array<{ hour: number; count: number }> {
  const last = Math.floor(now / HOUR) * HOUR;
  const counts = new Map<number, number>();
  for (const event of events) counts.set(Math.floor(event.time / HOUR) * HOUR, (counts.get(Math.floor(event.time / HOUR) * HOUR) ?? 0) + 1);
  return Array.from({ length: hours }, (_, i) => last - (hours - 1 - i) * HOUR).map((hour) => ({ hour, count: counts.get(hour) ?? 0 }));
}

/** The `limit` most frequent values of `key`, most first (ties by value). */
export function top<K extends 'qname' | 'client' | 'list' | 'group'>(events: readonly FakeEvent[], key: K, limit = 10): Array<{ value: string; count: number }> {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event[key], (counts.get(event[key]) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)).slice(0, limit);
}
