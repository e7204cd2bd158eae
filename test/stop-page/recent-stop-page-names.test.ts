import t from 'tap';
import type { ClientGroup, Query } from '../../src/model/query.js';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet, type ZoneSettings } from '../../src/rpz/policy-set.js';
import { decodeQuery } from '../../src/server/decode-query.js';
import { RecentStopPageNames } from '../../src/stop-page/recent-stop-page-names.js';
import { buildQuery } from '../helpers/dns-client.js';

/** The group DNS saw for each (client, name) it sent to the stop page: kept only with groups, bounded in count and age. */
const settings = (policy: ZoneSettings['policy']): ZoneSettings => ({ policy, maxPolicyTtl: 5, breakDnssec: false, logName: 'list', ede: { code: 15 }, log: true });
const text = '$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n*.example CNAME .\n';
const policy = new PolicySet([
  { zone: await loadPolicyZoneText(text, 'stop.rpz'), settings: settings('stop-page') },
  { zone: await loadPolicyZoneText('$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n*.test CNAME .\n', 'nx.rpz'), settings: settings('given') },
]);
const students: ClientGroup = { name: 'students', index: 1, upstreamSet: 0, grouped: true };
const lone: ClientGroup = { name: 'default', index: 0, upstreamSet: 0, grouped: false };

/** Records the policy's hit for `name` asked by `client` in `group`, as the server does for each answer. */
function record(recent: RecentStopPageNames, name: string, client: string, group: ClientGroup): void {
  const decoded = decodeQuery(buildQuery(name), { client: { address: client, port: 5300 }, transport: 'udp', listener: '127.0.0.1:53' }, () => group);
  const query = (decoded as { query: Query }).query;
  recent.record(query, policy.beforeResolution(query.question.lname, null).hit!);
}

t.test('kept per client address and name, IPv4-mapped addresses as IPv4; only stop-page answers, only with groups', async (t) => {
  const recent = new RecentStopPageNames({ now: () => 0 });
  record(recent, 'Games.Example', '::ffff:127.0.0.2', students);
  t.equal(recent.groupOf('127.0.0.2', 'games.example'), 'students', 'the page\'s view of the client and the lower-case name');
  t.equal(recent.groupOf('127.0.0.3', 'games.example'), undefined, 'another client');
  t.equal(recent.groupOf('127.0.0.2', 'www.games.example'), undefined, 'another name');
  t.equal(recent.get('games.example'), undefined, 'a QNAME hit on the query name is still not kept as a name (the policy finds it again)');
  record(recent, 'games.test', '127.0.0.2', students);
  t.equal(recent.groupOf('127.0.0.2', 'games.test'), undefined, 'an NXDOMAIN answer does not send anyone to the stop page');
  record(recent, 'chat.example', '127.0.0.2', lone);
  t.equal(recent.groupOf('127.0.0.2', 'chat.example'), undefined, 'no groups configured: nothing kept');
});

t.test('bounded: the least recently used go first, and none outlives ttlMs', async (t) => {
  let now = Date.UTC(2026, 5, 1);
  const recent = new RecentStopPageNames({ now: () => now, max: 2, ttlMs: 1000 });
  for (const name of ['a.example', 'b.example', 'c.example']) record(recent, name, '127.0.0.2', students);
  t.same(['a.example', 'b.example', 'c.example'].map((name) => recent.groupOf('127.0.0.2', name)), [undefined, 'students', 'students'], 'two kept');
  now += 1000;
  t.equal(recent.groupOf('127.0.0.2', 'c.example'), 'students', 'kept for ttlMs');
  now += 1;
  t.equal(recent.groupOf('127.0.0.2', 'c.example'), undefined, 'gone after it');
});
