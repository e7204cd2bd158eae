import t from 'tap';
import { parseConfig } from '../../src/config/load-config.js';

/**
 * Two zones of one name would share a last-good copy in the state directory
 * and a NOTIFY could only reach one of them: a second zone of a name already
 * used, in any case and with or without the trailing dot, stops start-up
 * naming the key and the earlier zone.
 */

const zones = (a: string, b: string) => `policy:\n  zones:\n    - { name: "${a}", file: /dev/null }\n    - { name: "${b}", primaries: ["127.0.0.1:5300"] }\n`;

t.test('duplicate zone names are refused, whatever the case or trailing dot', async (t) => {
  const pairs: Array<[string, string]> = [['rpz.test', 'rpz.test'], ['rpz.test', 'RPZ.Test.'], ['School.rpz.', 'school.rpz']];
  for (const [a, b] of pairs) {
    t.throws(() => parseConfig(zones(a, b), {}), { name: 'ConfigError' }, `${a} then ${b}: a config error`);
    t.throws(() => parseConfig(zones(a, b), {}), { message: /policy\.zones\.1\.name.*a name not used by zone 0 already/s }, `${a} then ${b}: names the key and the earlier zone`);
  }
  t.doesNotThrow(() => parseConfig(zones('rpz.test', 'other.rpz.test'), {}), 'a zone below another is another zone');
});
