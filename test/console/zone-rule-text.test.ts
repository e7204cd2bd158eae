import t from 'tap';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { bumpSerial, consoleRules, withoutRule, withRule } from '../../src/console/zone-rule-text.js';

/** The text the console writes into zone files: rules with their comment, read back, taken out, and the SOA serial raised. */

const ZONE = '$TTL 300\n@       SOA   localhost. hostmaster.localhost. 7 3600 600 86400 60\n        NS    localhost.\n; If a secondary loads this file too, raise the SOA serial (the "7" above)\nhand.example CNAME .\n';
const TIME = Date.UTC(2026, 5, 1, 9, 30);

t.test('a rule written, read back, taken out: the file returns to what it was but for the serial', async (t) => {
  const { text, rule } = withRule(ZONE, 'local.rpz', { name: 'games.example', action: 'block', who: 'token:deploy', time: TIME, reason: 'pupils found it: a "proxy"' });
  t.equal(text.slice(ZONE.length).trim(), '; added by token:deploy at 2026-06-01T09:30:00.000Z: pupils found it: a "proxy"\ngames.example CNAME .');
  t.match(text, /SOA {3}localhost\. hostmaster\.localhost\. 8 3600/, 'serial 7 -> 8; the comment that mentions the SOA is left alone');
  t.same(consoleRules(text, 'local.rpz'), [{ ...rule }], 'read back as written');
  t.match(rule, { zone: 'local.rpz', name: 'games.example', action: 'block', who: 'token:deploy', time: TIME, reason: 'pupils found it: a "proxy"' });
  t.same(consoleRules(ZONE, 'local.rpz'), [], 'rules written by hand are not the console\'s');
  const loaded = await loadPolicyZoneText(text, 'local.rpz');
  t.equal(loaded.indexes.qname.lookup('games.example')?.owner, 'games.example', 'the zone loads with the rule');
  t.equal(withoutRule(text, 'local.rpz', rule.id), ZONE.replace(' 7 ', ' 9 '), 'taken out: the file as before, serial 9');
  t.equal(withoutRule(text, 'local.rpz', '000000000000'), null, 'an unknown id');
});

t.test('no reason: no trailing colon; an allow rule; a file ending without a newline', async (t) => {
  const { text, rule } = withRule(ZONE.trimEnd(), 'allow.rpz', { name: '*.cdn.example', action: 'allow', who: 'admin', time: TIME, reason: '' });
  t.ok(text.endsWith('hand.example CNAME .\n; added by admin at 2026-06-01T09:30:00.000Z\n*.cdn.example CNAME rpz-passthru.\n'));
  t.match(consoleRules(text, 'allow.rpz'), [{ id: rule.id, name: '*.cdn.example', action: 'allow', reason: '' }]);
});

t.test('a file that sets $ORIGIN gets the owner absolute, and it is read back as the same name', async (t) => {
  const text = `${ZONE}$ORIGIN sub.local.rpz.\nx CNAME .\n`;
  const { text: written, rule } = withRule(text, 'local.rpz', { name: 'games.example', action: 'block', who: 'admin', time: TIME, reason: '' });
  t.ok(written.endsWith('games.example.local.rpz. CNAME .\n'));
  t.match(consoleRules(written, 'local.rpz'), [{ id: rule.id, name: 'games.example' }]);
  const loaded = await loadPolicyZoneText(written, 'local.rpz');
  t.equal(loaded.indexes.qname.lookup('games.example')?.owner, 'games.example', 'under the zone, not under $ORIGIN');
});

t.test('the SOA serial in the forms zone files write it', async (t) => {
  const rows: Array<[string, string, string]> = [
    ['one line', '@ SOA ns. host. 1 3600 600 86400 60\n', '@ SOA ns. host. 2 3600 600 86400 60\n'],
    ['TTL and class', 'local.rpz. 300 IN SOA ns. host. 2026060101 1 2 3 4\n', 'local.rpz. 300 IN SOA ns. host. 2026060102 1 2 3 4\n'],
    ['parentheses and comments', '@ IN SOA ns. host. ( ; the SOA\n    41 ; serial\n    3600 600 86400 60 )\n', '@ IN SOA ns. host. ( ; the SOA\n    42 ; serial\n    3600 600 86400 60 )\n'],
    ['RFC 1982 wrap, 0 skipped', '@ SOA ns. host. 4294967295 1 2 3 4\n', '@ SOA ns. host. 1 1 2 3 4\n'],
    ['no SOA', 'x CNAME .\n', 'x CNAME .\n'],
    ['only a comment about the SOA', '; @ SOA ns. host. 5 1 2 3 4\n', '; @ SOA ns. host. 5 1 2 3 4\n'],
  ];
  for (const [name, before, after] of rows) t.equal(bumpSerial(before), after, name);
});
