import t from 'tap';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';

/**
 * An empty quoted string is no name (found by the zone-text fuzz round, seed
 * 20261206, input 26815: `$ORIGIN ""` made every later owner end in a dot,
 * and the compiler threw a TypeError instead of the zone being refused).
 */
const HEAD = '$TTL 300\n@ SOA ns.rpz.example. hostmaster.rpz.example. 1 3600 600 86400 60\n';

t.test('an empty quoted name is refused with file:line as $ORIGIN, owner and $INCLUDE origin', async (t) => {
  const rows: Array<[string, string, number]> = [
    ['$ORIGIN ""', '$ORIGIN ""\nx.example CNAME .\n', 3],
    ['an empty owner', '"" CNAME .\n', 3],
    ['$INCLUDE with an empty origin', '$INCLUDE some.rpz ""\n', 3],
  ];
  for (const [name, body, line] of rows) {
    await t.rejects(loadPolicyZoneText(`${HEAD}${body}`, 'rpz.example', 'zone.rpz', { includes: 'allowed' }), { name: 'ZoneSyntaxError', message: `zone.rpz:${line}: found "", expected a domain name` }, name);
  }
});

t.test('an empty CNAME target is local data that cannot be used: skipped and reported', async (t) => {
  const zone = await loadPolicyZoneText(`${HEAD}x.example CNAME ""\n`, 'rpz.example', 'zone.rpz');
  t.same(zone.stats.warnings, [{ kind: 'unusable local data', count: 1, examples: ['zone.rpz:3: bad CNAME target: found ""; expected a domain name'] }]);
  t.equal(zone.indexes.qname.lookup('x.example'), null, 'no rule for the record');
});
