import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { askUdp, answerData } from '../helpers/dns-client.js';
import { startConsoleServer } from '../helpers/console-server.js';

/**
 * Allow and block in one click (issue 20): POST /api/rules writes the rule with a comment into the local
 * zone file, raises the SOA serial and answers once the reloaded zone is in force; DELETE undoes it. Checked
 * with real queries over UDP, with no waiting between the API's answer and the query.
 */

t.test('allow a blocked name, see it forwarded, undo, see it blocked again; block another and undo', async (t) => {
  const now = Date.UTC(2026, 5, 1, 9, 30);
  const console = await startConsoleServer(t, ['blocked.example', 'open.example', 'www.open.example'], { now: () => now });
  const originalAllow = readFileSync(console.zones.allow, 'utf8');
  chmodSync(console.zones.allow, 0o640);
  const admin = console.client();
  await admin.login();
  const ask = async (name: string) => {
    const reply = await askUdp(console.server.target, name);
    return reply.packet.rcode === 'NOERROR' ? `NOERROR ${answerData(reply).join(' ')}` : reply.packet.rcode;
  };
  t.equal(await ask('blocked.example'), 'NXDOMAIN', 'blocked before');

  const added = await admin.call('POST', '/api/rules', { body: { name: 'Blocked.Example.', action: 'allow', reason: 'the teacher needs it for a lesson' } });
  t.equal(added.status, 200);
  t.match(added.json, { id: /^[0-9a-f]{12}$/, zone: 'allow.rpz', name: 'blocked.example', action: 'allow', who: 'admin', time: now, reason: 'the teacher needs it for a lesson' });
  t.equal(await ask('blocked.example'), 'NOERROR 192.0.2.1', 'forwarded as soon as the API answered');
  const allowText = readFileSync(console.zones.allow, 'utf8');
  t.ok(allowText.endsWith('; added by admin at 2026-06-01T09:30:00.000Z: the teacher needs it for a lesson\nblocked.example CNAME rpz-passthru.\n'), 'the rule and its comment at the end of allow.rpz');
  t.match(allowText, /^@ SOA localhost\. hostmaster\.localhost\. 2 3600/m, 'SOA serial 1 -> 2');
  t.equal(statSync(console.zones.allow).mode & 0o777, 0o640, 'the file keeps its permissions');
  t.equal(console.server.server.zones.status()[0]!.serial, '2', 'the zone in force is the new one');
  t.match((await admin.call('GET', '/api/rules')).json, [{ id: added.json.id, zone: 'allow.rpz', name: 'blocked.example', action: 'allow', who: 'admin', time: now }]);

  const undone = await admin.call('DELETE', `/api/rules/${added.json.id}`);
  t.equal(undone.status, 200);
  t.equal(await ask('blocked.example'), 'NXDOMAIN', 'blocked again as soon as the undo answered');
  t.equal(readFileSync(console.zones.allow, 'utf8'), originalAllow.replace(' 1 3600', ' 3 3600'), 'allow.rpz as it was, serial 3');
  t.same((await admin.call('GET', '/api/rules')).json, []);
  t.equal((await admin.call('DELETE', `/api/rules/${added.json.id}`)).status, 404, 'undone once only');

  const blocked = await admin.call('POST', '/api/rules', { body: { name: '*.open.example', action: 'block', reason: '' } });
  t.match(blocked.json, { zone: 'local.rpz', name: '*.open.example', action: 'block' });
  t.equal(await ask('www.open.example'), 'NXDOMAIN', 'below the wildcard: blocked');
  t.equal(await ask('open.example'), 'NOERROR 192.0.2.2', 'the name itself: not (RPZ wildcards never match the name itself)');
  t.match(readFileSync(console.zones.local, 'utf8'), /; added by admin at [0-9T:.Z-]+\n\*\.open\.example CNAME \.\n$/);
  await admin.call('DELETE', `/api/rules/${blocked.json.id}`);
  t.equal(await ask('www.open.example'), 'NOERROR 192.0.2.3', 'undone');

  const audit = (await admin.call('GET', '/api/audit')).json as Array<{ who: string; what: string; detail: string }>;
  t.match(audit.map((entry) => [entry.what, entry.detail]), [
    ['rule.remove', /undid block \*\.open\.example in local\.rpz/],
    ['rule.add', 'block *.open.example in local.rpz'],
    ['rule.remove', /undid allow blocked\.example in allow\.rpz \(added by admin\)/],
    ['rule.add', 'allow blocked.example in allow.rpz: the teacher needs it for a lesson'],
    ['login', /logged in/],
  ]);
});

t.test('a name the zone lists already, and input that could break the zone file, are refused; the file is untouched', async (t) => {
  const console = await startConsoleServer(t);
  const admin = console.client();
  await admin.login();
  const before = readFileSync(console.zones.local, 'utf8');
  const rows: Array<[unknown, number, RegExp]> = [
    [{ name: 'blocked.example', action: 'block', reason: '' }, 409, /local\.rpz has a rule for blocked\.example already/],
    [{ name: 'x.example\nevil CNAME rpz-passthru.', action: 'block', reason: '' }, 400, /body\/name must match pattern/],
    [{ name: 'x.example', action: 'block', reason: 'why\n* CNAME rpz-passthru.' }, 400, /body\/reason must match pattern/],
    [{ name: 'x.example', action: 'block', reason: 'r\u2028x' }, 400, /body\/reason/],
    [{ name: 'x ; y.example', action: 'block', reason: '' }, 400, /body\/name/],
    [{ name: 'x.example', action: 'drop', reason: '' }, 400, /body\/action/],
    [{ name: 'x.example', action: 'block', reason: 'r'.repeat(201) }, 400, /body\/reason must NOT have more than 200 characters/],
  ];
  for (const [body, status, message] of rows) {
    const reply = await admin.call('POST', '/api/rules', { body });
    // Escaped: a line separator in the TAP output would cut the report's line.
    const label = JSON.stringify(body).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
    t.equal(reply.status, status, label);
    t.match(reply.json?.message, message, label);
  }
  t.equal(readFileSync(console.zones.local, 'utf8'), before, 'local.rpz as it was');
});

t.test('a change the zone does not load with is taken back, and says why', async (t) => {
  const console = await startConsoleServer(t);
  const admin = console.client();
  await admin.login();
  // Someone broke the file by hand meanwhile: the server keeps the last good version in force.
  const broken = `${readFileSync(console.zones.allow, 'utf8')}oops BOGUS x\n`;
  writeFileSync(console.zones.allow, broken);
  const reply = await admin.call('POST', '/api/rules', { body: { name: 'blocked.example', action: 'allow', reason: 'x' } });
  t.equal(reply.status, 500);
  t.match(reply.json.message, /^allow\.rpz did not load with the change, which was taken back: .*allow\.rpz:\d+/);
  t.equal(readFileSync(console.zones.allow, 'utf8'), broken, 'the file is as it was before the change');
  t.equal((await askUdp(console.server.target, 'blocked.example')).packet.rcode, 'NXDOMAIN', 'the policy in force is the last good one');
  t.same((await admin.call('GET', '/api/audit')).json.map((entry: { what: string }) => entry.what), ['login'], 'no change in the audit log');
});
