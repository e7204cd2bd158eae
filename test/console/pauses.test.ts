import t from 'tap';
import { answerTtls, askUdp } from '../helpers/dns-client.js';
import { startConsoleServer, type ConsoleServerOptions } from '../helpers/console-server.js';
import { parseTestConfig } from '../helpers/stopzone.js';
import type { consoleZones } from '../helpers/console-client.js';

/**
 * Pausing a list for a group (issue 20): POST /api/pauses takes a zone out of force for one client group for
 * some minutes; it ends by itself (the clock is moved, nothing else is done), an answer it lets through
 * lives no longer than the pause, it survives a restart, and DELETE ends it at once.
 */
const START = Date.UTC(2026, 5, 1, 9, 0);
const STUDENT = '127.0.0.2';
const STAFF = '127.0.0.3';
const groups = 'groups:\n  - { name: students, clients: ["127.0.0.2/32"] }\n  - { name: staff, clients: ["127.0.0.3/32"] }\n';

t.test('a pause lets one group through until it ends by itself, with answers capped at its end; other groups stay blocked', async (t) => {
  let now = START;
  const options: ConsoleServerOptions = { extra: groups, now: () => now };
  const console = await startConsoleServer(t, undefined, options);
  const admin = console.client();
  await admin.login();
  const rcode = async (from: string) => (await askUdp(console.server.target, 'blocked.example', { from })).packet.rcode;
  t.equal(await rcode(STUDENT), 'NXDOMAIN', 'before: blocked for students');

  const made = await admin.call('POST', '/api/pauses', { body: { zone: 'local.rpz', group: 'students', minutes: 2, reason: 'exam research' } });
  t.equal(made.status, 200);
  t.match(made.json, { id: /^[0-9a-f]{12}$/, zone: 'local.rpz', group: 'students', since: START, until: START + 120_000, who: 'admin', reason: 'exam research' });
  const student = await askUdp(console.server.target, 'blocked.example', { from: STUDENT });
  t.equal(student.packet.rcode, 'NOERROR', 'paused: a student gets the name');
  t.same(answerTtls(student), [120], 'its TTL (300 upstream) is cut to the 120 s the pause has left');
  t.equal(await rcode(STAFF), 'NXDOMAIN', 'staff: still blocked');
  t.match((await admin.call('GET', `/api/why?name=blocked.example&group=students`)).json, { decision: 'allowed', inForce: ['allow.rpz'] }, 'why says so');
  t.match((await admin.call('GET', `/api/why?name=blocked.example&group=staff`)).json, { decision: 'blocked', zone: 'local.rpz' });
  t.match((await admin.call('GET', '/api/pauses')).json, [{ id: made.json.id, until: START + 120_000 }]);

  now += 60_000;
  t.same(answerTtls(await askUdp(console.server.target, 'blocked.example', { from: STUDENT })), [60], 'a minute on: 60 s left');
  now = START + 120_000;
  t.equal(await rcode(STUDENT), 'NXDOMAIN', 'at its end: blocked again, with no call and no timer');
  t.same((await admin.call('GET', '/api/pauses')).json, [], 'and no longer listed');
  t.match((await admin.call('GET', '/api/audit')).json[0], { what: 'pause.add', who: 'admin', detail: 'paused local.rpz for students for 2 min, until 2026-06-01T09:02:00.000Z: exam research' });
});

t.test('a pause survives a restart; DELETE ends it at once', async (t) => {
  let now = START;
  let zones: ReturnType<typeof consoleZones>;
  {
    const first = await startConsoleServer(t, undefined, { extra: groups, now: () => now });
    zones = first.zones;
    const admin = first.client();
    await admin.login();
    t.equal((await admin.call('POST', '/api/pauses', { body: { zone: 'local.rpz', group: 'students', minutes: 30, reason: '' } })).status, 200);
    await first.server.close();
  }
  now += 10 * 60_000;
  const second = await startConsoleServer(t, undefined, { extra: groups, now: () => now, zones });
  t.equal((await askUdp(second.server.target, 'blocked.example', { from: STUDENT })).packet.rcode, 'NOERROR', 'after the restart the pause is still in force');
  const admin = second.client();
  await admin.login();
  const [pause] = (await admin.call('GET', '/api/pauses')).json as Array<{ id: string; until: number }>;
  t.equal(pause!.until, START + 30 * 60_000, 'with its end');
  const ended = await admin.call('DELETE', `/api/pauses/${pause!.id}`);
  t.equal(ended.status, 200);
  t.equal((await askUdp(second.server.target, 'blocked.example', { from: STUDENT })).packet.rcode, 'NXDOMAIN', 'ended: blocked at once');
  t.equal((await admin.call('DELETE', `/api/pauses/${pause!.id}`)).status, 404, 'ended once only');
  t.match((await admin.call('GET', '/api/audit')).json[0], { what: 'pause.remove', detail: 'ended the pause of local.rpz for students (made by admin)' });
});

t.test('a pause of a zone or group that does not exist, or of no length, is refused', async (t) => {
  const console = await startConsoleServer(t, undefined, { extra: groups });
  const admin = console.client();
  await admin.login();
  const rows: Array<[Record<string, unknown>, RegExp]> = [
    [{ zone: 'nope.rpz', group: 'students', minutes: 5 }, /no policy zone "nope\.rpz"; the zones are allow\.rpz, local\.rpz/],
    [{ zone: 'local.rpz', group: 'teachers', minutes: 5 }, /no client group "teachers"; the groups are default, students, staff/],
    [{ zone: 'local.rpz', group: 'students', minutes: 0 }, /body\/minutes must be >= 1/],
    [{ zone: 'local.rpz', group: 'students', minutes: 10081 }, /body\/minutes must be <= 10080/],
    [{ zone: 'local.rpz', group: 'students' }, /must have required property 'minutes'/],
  ];
  for (const [body, message] of rows) {
    const reply = await admin.call('POST', '/api/pauses', { body: { reason: '', ...body } });
    t.equal(reply.status, 400, JSON.stringify(body));
    t.match(reply.json.message, message);
  }
  t.same((await admin.call('GET', '/api/pauses')).json, []);
});

t.test('a reload that renumbers the groups keeps each pause on its group', async (t) => {
  const console = await startConsoleServer(t, undefined, { extra: groups });
  const admin = console.client();
  await admin.login();
  await admin.call('POST', '/api/pauses', { body: { zone: 'local.rpz', group: 'students', minutes: 30, reason: '' } });
  const rcode = async (from: string) => (await askUdp(console.server.target, 'blocked.example', { from })).packet.rcode;
  t.same([await rcode(STUDENT), await rcode(STAFF)], ['NOERROR', 'NXDOMAIN'], 'students paused, staff not');
  // staff now comes first: "students" is group 2 instead of 1.
  const swapped = console.yaml.replace(groups, 'groups:\n  - { name: staff, clients: ["127.0.0.3/32"] }\n  - { name: students, clients: ["127.0.0.2/32"] }\n');
  t.not(swapped, console.yaml);
  t.match(console.server.server.reconfigure(parseTestConfig(swapped)), { applied: true });
  t.same([await rcode(STUDENT), await rcode(STAFF)], ['NOERROR', 'NXDOMAIN'], 'after the reload: still students, not staff');
});
