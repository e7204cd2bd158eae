import t from 'tap';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';

/**
 * An empty quoted string is no name (found by the zone-text fuzz round, seed
 * 20261206, input 26815: `$ORIGIN ""` made every later owner end in a dot,
 * and the compiler threw a TypeError instead of the zone being refused).
 */
const HEAD = '$TTL 300\n@ SOA ns.rpz.example. hostmaster.rpz.example. 1 3600 600 86400 60\n';

t.test('an empty quoted name is refused with file:line, wherever a name goes', async (t) => {
  const rows: Array<[string, string, number]> = [
    ['$ORIGIN ""', '$ORIGIN ""\nx.example CNAME .\n', 3],
    ['an empty owner', '"" CNAME .\n', 3],
    ['an empty CNAME target', 'x.example CNAME ""\n', 3],
    ['$INCLUDE with an empty origin', '$INCLUDE some.rpz ""\n', 3],
  ];
  for (const [name, body, line] of rows) {
    await t.rejects(loadPolicyZoneText(`${HEAD}${body}`, 'rpz.example', 'zone.rpz'), { name: 'ZoneSyntaxError', message: `zone.rpz:${line}: found "", expected a domain name` }, name);
  }
});
