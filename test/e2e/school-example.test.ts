import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { answerTtls, askTcp, askUdp, edeOf, type Reply } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { runCli } from '../helpers/cli.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { startTestServer } from '../helpers/stopzone.js';

/**
 * docs/examples/school/stopzone.yaml, the school config of docs/school.md, as an admin would meet it: `stopzone
 * check --config` accepts it and prints each group's zones; served (listeners and upstreams moved to loopback by
 * the same STOPZONE_* variables the docs use, the clock injected), students, staff and guests get what the docs
 * say at a lesson, at lunch, in the holidays and a minute before school; and docs/examples/school/try-it.sh, the
 * docs' own transcript, runs as written when its tools are installed.
 */
const CONFIG = fileURLToPath(new URL('../../docs/examples/school/stopzone.yaml', import.meta.url));
const TRY_IT = fileURLToPath(new URL('../../docs/examples/school/try-it.sh', import.meta.url));

const STUDENT = '127.0.0.2';
const STAFF = '127.0.0.3';
const GUEST = '127.0.0.4';
/** Instants in London; in December London is on UTC. Monday 7 December 2026. */
const at = (day: number, hours: number, minutes: number): number => Date.UTC(2026, 11, day, hours, minutes);
const LESSON = at(7, 10, 0);
const LUNCH = at(7, 11, 45);
const BEFORE_SCHOOL = at(7, 7, 59);
const HOLIDAY = at(22, 10, 0);

t.test('stopzone check --config accepts the school config and prints each group at a lesson', async (t) => {
  const check = runCli(['check', '--config', CONFIG, '--at', '2026-12-07T10:00:00Z']);
  t.equal(await check.exited, 0, check.stderr());
  const out = check.stdout();
  t.match(out, /^ {2}students: hotline\.rpz, allow\.rpz, bypass-guard\.rpz, security\.rpz, safe-search\.rpz, lessons\.rpz; not now: guests\.rpz\n {4}next change: 2026-12-07 Mon 11:30 UTC\+00:00 \(schedule lessons\): lessons\.rpz stops$/m);
  t.match(out, /^ {2}staff: hotline\.rpz, allow\.rpz, bypass-guard\.rpz, security\.rpz; not now: safe-search\.rpz, lessons\.rpz, guests\.rpz$/m);
  t.match(out, /^ {2}guests: hotline\.rpz, allow\.rpz, bypass-guard\.rpz, security\.rpz, lessons\.rpz, guests\.rpz; not now: safe-search\.rpz$/m);
  const lunch = runCli(['check', '--config', CONFIG, '--at', '2026-12-07T11:45:00Z']);
  t.equal(await lunch.exited, 0);
  t.match(lunch.stdout(), /^ {4}next change: 2026-12-07 Mon 12:15 UTC\+00:00 \(schedule lessons\): lessons\.rpz starts$/m, 'at lunch, the next change is 12:15');
});

async function serveSchool(t: Test) {
  const upstream = await startFakeUpstream({
    records: {
      'roblox.com': [{ type: 'A', ttl: 3600, data: '192.0.2.10' }],
      'www.google.com': [{ type: 'A', ttl: 3600, data: '192.0.2.20' }],
      'forcesafesearch.google.com': [{ type: 'A', ttl: 3600, data: '192.0.2.21' }],
      'abuse.example': [{ type: 'A', ttl: 3600, data: '192.0.2.30' }],
      'netflix.com': [{ type: 'A', ttl: 3600, data: '192.0.2.40' }],
    },
  });
  let now = LESSON;
  const env = {
    STOPZONE_LISTEN_ADDRESSES: '127.0.0.1',
    STOPZONE_LISTEN_PORT: '0',
    STOPZONE_UPSTREAMS: upstream.hostPort,
    STOPZONE_STOP_PAGE_ADDRESSES: '127.0.0.1',
    STOPZONE_STOP_PAGE_HTTP: '127.0.0.1:0',
    STOPZONE_STOP_PAGE_HTTPS: '127.0.0.1:0',
    STOPZONE_ADMIN_LISTEN: '127.0.0.1:0',
    STOPZONE_STATE_DIR: t.testdir(),
  };
  const server = await startTestServer(readFileSync(CONFIG, 'utf8'), { env, baseDir: dirname(CONFIG), now: () => now });
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const ask = (name: string, from: string, transport: 'udp' | 'tcp' = 'udp'): Promise<Reply> => (transport === 'udp' ? askUdp : askTcp)(server.target, name, { from, bufsize: 1232 });
  return { server, ask, setNow: (ms: number) => (now = ms) };
}

/** "NXDOMAIN", or the answer's records as "type data". */
function outcome(reply: Reply): string {
  if (reply.packet.rcode !== 'NOERROR') return String(reply.packet.rcode);
  return (reply.packet.answers ?? []).map((record) => `${record.type} ${String((record as { data?: unknown }).data)}`).join(', ');
}
const edeText = (reply: Reply): string | null => edeOf(reply)?.text ?? null;

t.test('a lesson: students and guests meet the lessons list, staff do not; the legal list blocks every group', async (t) => {
  const { server, ask } = await serveSchool(t);
  const student = await ask('roblox.com', STUDENT);
  t.equal(outcome(student), 'A 127.0.0.1', 'a student gets the stop page address');
  t.equal(edeText(student), 'Blocked by Games and social networks (lesson time) for group students; see http://roblox.com/', 'and an EDE naming the list and the group');
  t.equal(outcome(await ask('roblox.com', STUDENT, 'tcp')), 'A 127.0.0.1', 'over TCP too');
  t.equal(outcome(await ask('roblox.com', STAFF)), 'A 192.0.2.10', 'staff get the real answer');
  t.equal(outcome(await ask('roblox.com', GUEST)), 'A 127.0.0.1', 'guests: the lessons list at every hour');
  t.equal(outcome(await ask('netflix.com', GUEST)), 'A 127.0.0.1', 'guests: their own list');
  t.equal(outcome(await ask('netflix.com', STUDENT)), 'A 192.0.2.40', 'the guests list is not the students\'');
  for (const from of [STUDENT, STAFF, GUEST, '127.0.0.1']) {
    const legal = await ask('abuse.example', from);
    t.equal(legal.packet.rcode, 'NXDOMAIN', `the hotline list blocks ${from}`);
    t.match(edeText(legal), /^Blocked by Hotline list for group (students|staff|guests|default)$/, 'an EDE naming the legal list and the group');
  }
  const safe = await ask('www.google.com', STUDENT);
  t.equal(outcome(safe), 'CNAME forcesafesearch.google.com, A 192.0.2.21', 'a student is sent to Google\'s safe-search host');
  t.equal(outcome(await ask('www.google.com', STAFF)), 'A 192.0.2.20', 'staff get the plain answer');
  const groups = server.blockEvents.filter((event) => event.qname === 'roblox.com').map((event) => event.group);
  t.same(groups, ['students', 'students', 'guests'], 'the block log names each block\'s group');
});

t.test('lunch, the holidays and a minute before school: students allowed, with TTLs cut to the next boundary', async (t) => {
  const { ask, setNow } = await serveSchool(t);
  setNow(LUNCH);
  const lunch = await ask('roblox.com', STUDENT);
  t.equal(outcome(lunch), 'A 192.0.2.10', 'lunch (11:45): allowed');
  t.same(answerTtls(lunch), [30 * 60], 'its TTL ends at 12:15, when lessons start again');
  t.equal(outcome(await ask('roblox.com', GUEST)), 'A 127.0.0.1', 'guests still blocked at lunch');
  setNow(HOLIDAY);
  const holiday = await ask('roblox.com', STUDENT);
  t.equal(outcome(holiday), 'A 192.0.2.10', 'Tuesday 22 December, 10:00, Christmas holidays: allowed');
  t.same(answerTtls(holiday), [3600], 'no boundary within the hour: the upstream\'s TTL');
  setNow(BEFORE_SCHOOL);
  const early = await ask('roblox.com', STUDENT);
  t.equal(outcome(early), 'A 192.0.2.10', '07:59: allowed');
  t.same(answerTtls(early), [60], 'and cached by the client for 60 s at most, until 08:00');
  t.same(answerTtls(await ask('roblox.com', STAFF)), [3600], 'staff at 07:59: the upstream\'s TTL (the zone never applies to them)');
  setNow(BEFORE_SCHOOL + 60_000);
  t.equal(outcome(await ask('roblox.com', STUDENT)), 'A 127.0.0.1', '08:00: blocked');
});

t.test('docs/examples/school/try-it.sh runs as docs/school.md shows it', async (t) => {
  const tools = ['nsd', 'dig', 'faketime'].filter((tool) => !onPath(tool));
  const built = onPath('node') && existsBuilt();
  const missing = tools.length > 0 ? `try-it.sh needs ${tools.join(', ')} (apt-get install nsd bind9-dnsutils faketime)` : built ? '' : 'try-it.sh needs npm run build';
  const skip = skipWhenMissing(missing !== '', missing);
  if (skip !== false) {
    t.comment(`skipped: ${skip}`);
    return;
  }
  const out = execFileSync('bash', [TRY_IT, '2026-12-07 10:00:00', 'roblox.com'], { encoding: 'utf8', timeout: 60_000 });
  t.match(out, /\$ dig -b 127\.0\.0\.2 -p 5300 @127\.0\.0\.1 roblox\.com {6}# student\n.*status: NOERROR.*\n; EDE: 15 \(Blocked\): \(Blocked by Games and social networks \(lesson time\) for group students; see http:\/\/roblox\.com\/\)\nroblox\.com\.\s+5\s+IN\s+A\s+127\.0\.0\.1/);
  t.match(out, /# staff\n.*status: NOERROR.*\nroblox\.com\.\s+3600\s+IN\s+A\s+192\.0\.2\.10/);
  t.match(out, /^\{"level":30,.*"msg":"blocked","client":"127\.0\.0\.2","qname":"roblox\.com".*"group":"students"/m, 'the block-log line of the student');
});

function onPath(tool: string): boolean {
  try {
    execFileSync('bash', ['-c', `PATH=$PATH:/usr/sbin command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
function existsBuilt(): boolean {
  try {
    readFileSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)));
    return true;
  } catch {
    return false;
  }
}
