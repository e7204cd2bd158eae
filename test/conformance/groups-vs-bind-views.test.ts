import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { ask, missingDaemons, normalise, render, type Outcome, type Question } from '../helpers/answer-outcome.js';
import { startBind, type BindView } from '../helpers/bind.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { startNsd } from '../helpers/nsd.js';
import { startTestServer } from '../helpers/stopzone.js';
import { zone, type ZoneSpec } from './cases.js';

/**
 * Differential conformance for client groups (issue 19): BIND 9 views (match-clients / match-destinations, each
 * view with its own response-policy list) against Stopzone's `groups` and `policy.zones[].groups`, both forwarding
 * to the same NSD and loading the same policy zone files. From each client address, each question must get the
 * same rcode, TC, AA and answer section from both (as bind-vs-stopzone.test.ts compares).
 *
 * Both configs are written from the two tables below (GROUPS, ZONES): a BIND view per group in the same order
 * (BIND takes the first view that matches, as Stopzone takes the first group), then a catch-all view for
 * "default"; each view lists the zones that apply to its group, in the one configured order. Several zones list
 * the same names with different actions, so which zone wins (the earlier, BIND's rule) shows in the answers.
 *
 * Schedules are not part of this: BIND has no schedules (a view cannot change with the hour), so every zone here
 * applies to its groups at every hour; schedules are tested against an injected clock in test/schedule/.
 */

/** Client groups in matching order: first match wins. */
const GROUPS: ReadonlyArray<{ name: string; clients?: string[]; listeners?: string[] }> = [
  // Queries sent to this address of the server, from any client: the address DHCP gives the library's kiosks.
  // (named listens only on addresses an interface has: 127.0.0.1 and ::1 here, not the rest of 127.0.0.0/8.)
  { name: 'library', listeners: ['::1'] },
  { name: 'students', clients: ['127.0.0.2/32'] },
  { name: 'guests', clients: ['127.0.0.4/30'] },
  // 127.0.0.5 and ::1 are here too, but guests' /30 and library's listener come first and take them (first match,
  // not the most specific).
  { name: 'staff', clients: ['127.0.0.3/32', '127.0.0.5/32', '::1/128'] },
];

/** Policy zones in precedence order, each with the groups it applies to (undefined: every group). */
const ZONES: ReadonlyArray<{ spec: ZoneSpec; groups?: string[]; legal?: true }> = [
  {
    spec: zone('legal.rpz', 'law.groups.test CNAME .\nboth.groups.test CNAME .'),
    legal: true,
  },
  {
    spec: zone(
      'school.rpz',
      `
school.groups.test            CNAME .
both.groups.test              CNAME rpz-passthru.   ; legal.rpz is earlier: NXDOMAIN for students too
pick.groups.test              A     192.0.2.10
32.55.113.0.203.rpz-ip        CNAME .               ; ipblock's address
`,
    ),
    groups: ['library', 'students'],
  },
  {
    spec: zone(
      'games.rpz',
      `
games.groups.test             CNAME .
*.games.groups.test           CNAME .
pick.groups.test              CNAME .               ; school.rpz is earlier for students, guests.rpz later for guests
pass.groups.test              CNAME rpz-passthru.   ; shields pass from guests.rpz
`,
    ),
    groups: ['students', 'guests'],
  },
  {
    spec: zone(
      'guests.rpz',
      `
guest.groups.test             CNAME *.
pick.groups.test              A     192.0.2.30
pass.groups.test              CNAME .
32.5.0.0.127.rpz-client-ip    CNAME rpz-passthru.   ; the guest at 127.0.0.5: exempt from this zone on (not games.rpz)
`,
    ),
    groups: ['guests'],
  },
  {
    spec: zone(
      'security.rpz',
      `
malware.groups.test           A     192.0.2.66
pick.groups.test              CNAME *.
law.groups.test               A     192.0.2.67      ; legal.rpz is earlier: NXDOMAIN
32.55.113.0.203.rpz-ip        CNAME *.
`,
    ),
    groups: ['library', 'default'],
  },
];

/** The upstream zone NSD serves: every name has data, so any NXDOMAIN or changed answer is the policy's. */
const UPSTREAM = {
  name: 'groups.test',
  text: `$ORIGIN groups.test.
$TTL 300
@ SOA ns.groups.test. root.groups.test. 1 3600 600 86400 300
@ NS ns
ns A 127.0.0.53
${['open', 'law', 'both', 'school', 'games', 'www.games', 'pick', 'pass', 'guest', 'malware'].map((n, i) => `${n} A 198.51.100.${i + 1}\n${n} AAAA 2001:db8:100::${i + 1}`).join('\n')}
ipblock A 203.0.113.55
ipblock AAAA 2001:db8:100::55
alias CNAME school
`,
};

/** Who asks, and which of the server's addresses they ask. */
const CLIENTS: ReadonlyArray<{ from: string; to: string; group: string }> = [
  { from: '127.0.0.1', to: '127.0.0.1', group: 'default' },
  { from: '127.0.0.2', to: '127.0.0.1', group: 'students' },
  { from: '127.0.0.3', to: '127.0.0.1', group: 'staff' },
  { from: '127.0.0.4', to: '127.0.0.1', group: 'guests' },
  { from: '127.0.0.5', to: '127.0.0.1', group: 'guests' },
  { from: '::1', to: '::1', group: 'library' },
];

/** Every name over UDP for A; a few for AAAA, and over TCP. */
const QUESTIONS: readonly Question[] = [
  ...['open', 'law', 'both', 'school', 'games', 'www.games', 'pick', 'pass', 'guest', 'malware', 'ipblock', 'alias'].map((n) => ({ name: `${n}.groups.test` })),
  ...['open', 'pick', 'guest', 'ipblock'].map((n) => ({ name: `${n}.groups.test`, type: 'AAAA' })),
  ...['both', 'pick', 'pass', 'guest'].map((n) => ({ name: `${n}.groups.test`, tcp: true })),
];

/** (client group, question) pairs where Stopzone is known to differ from BIND, with the reason. None so far. */
const KNOWN: ReadonlyMap<string, string> = new Map();

const missing = missingDaemons();
if (missing.length > 0) {
  const message = `groups-vs-BIND-views conformance needs ${missing.join(' and ')}: apt-get install bind9 nsd`;
  t.plan(0, skipWhenMissing(true, message) || message);
} else {
  await t.test('each client group gets its BIND view\'s answers', run);
}

async function run(t: Test): Promise<void> {
  const nsd = await startNsd({ zones: [UPSTREAM] });
  t.teardown(() => nsd.stop());
  const views: BindView[] = [...GROUPS, { name: 'default' }].map((g: (typeof GROUPS)[number]) => ({
    name: g.name,
    matchClients: g.clients ?? ['any'],
    ...(g.listeners && { matchDestinations: g.listeners }),
    policyZones: ZONES.filter((z) => z.groups === undefined || z.groups.includes(g.name)).map((z) => z.spec.name),
  }));
  // The very files both servers load.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stopzone-groups-conformance-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const files = await Promise.all(ZONES.map(async (z) => {
    const file = path.join(dir, z.spec.name);
    await writeFile(file, z.spec.text);
    return file;
  }));
  const bind = await startBind({ forwarder: nsd.hostPort, policyZones: ZONES.map((z, i) => ({ ...z.spec, file: files[i]! })), views, alsoListen: ['::1'] });
  t.teardown(() => bind.stop());
  const stopzone = await startTestServer(stopzoneConfig(files, nsd.hostPort));
  t.teardown(() => stopzone.close());
  const stopzonePort = (address: string): number => {
    const endpoint = stopzone.server.endpoints.find((e) => e.address === address);
    if (endpoint === undefined) throw new Error(`Stopzone does not listen on ${address}`);
    return endpoint.port;
  };

  const rows: Array<{ client: string; question: string; bind: string; stopzone: string; agree: boolean }> = [];
  // Question by question, every client in turn: a client after the first may be answered from the cache, so an
  // answer kept for one group and served to another would show here.
  for (const question of QUESTIONS) {
    for (const client of CLIENTS) {
      const q = { ...question, from: client.from };
      const [want, got] = await Promise.all([ask({ address: client.to, port: bind.port }, q), ask({ address: client.to, port: stopzonePort(client.to) }, q)]);
      const who = `${client.from}→${client.to} (${client.group})`;
      const what = `${question.name} ${question.type ?? 'A'}${question.tcp ? ' TCP' : ''}`;
      const [wanted, gotten] = [normalise(want, false), normalise(got, false)];
      rows.push({ client: who, question: what, bind: brief(want), stopzone: brief(got), agree: JSON.stringify(wanted) === JSON.stringify(gotten) });
      // Both silent would compare equal: a question BIND does not answer is a broken set-up, not agreement.
      if (want.kind !== 'answer') t.fail(`${who} ${what}: BIND did not answer`, { bind: render(want) });
      const known = KNOWN.get(`${client.group} ${what}`);
      const details = { bind: brief(want), stopzone: brief(got), ...(known && { known }) };
      if (known === undefined) t.same(gotten, wanted, `${who} ${what}`, details);
      else t.notSame(gotten, wanted, `${who} ${what}: the known difference still stands`, details);
    }
  }

  // Not a vacuous table: BIND's views must really tell these clients apart, each group seeing its own zones'
  // winner for pick (school's data, games' NXDOMAIN, security's NODATA, the upstream's answer).
  const picks = new Set(rows.filter((r) => r.question === 'pick.groups.test A').map((r) => r.bind));
  t.equal(picks.size, 4, `BIND gives pick.groups.test four different answers across the groups: ${[...picks].join(' | ')}`);

  const agreeing = rows.filter((r) => r.agree).length;
  const summary = `groups vs BIND views: ${agreeing} of ${rows.length} (client, name) pairs agree`;
  t.comment(`${summary}\n${table(rows)}`);
  console.error(summary);
}

/** Stopzone's YAML for the same groups and zones, ZONES[i] loaded from files[i]. */
function stopzoneConfig(files: readonly string[], upstream: string): string {
  const zones = ZONES.map((z, i) => `    - ${JSON.stringify({ name: z.spec.name, file: files[i], ...(z.groups && { groups: z.groups }), ...(z.legal && { page: { legal: true } }) })}`);
  return [
    'listen: { addresses: ["127.0.0.1", "::1"], port: 0 }',
    `upstreams: ${JSON.stringify([upstream])}`,
    'log: { level: warn }',
    'groups:',
    ...GROUPS.map((g) => `  - ${JSON.stringify(g)}`),
    'policy:',
    '  zones:',
    ...zones,
    '',
  ].join('\n');
}

/** An outcome in a table cell: the rcode and the answer records without owner TTLs. */
function brief(outcome: Outcome): string {
  if (outcome.kind !== 'answer') return `(${outcome.kind})`;
  const answers = outcome.answers.map((line) => line.replace(/^(\S+) \S+ /, '$1 ').replace(/^\S+\.groups\.test (?=A|AAAA)/, ''));
  return `${outcome.rcode}${outcome.tc ? ' TC' : ''}${outcome.aa ? ' AA' : ''}${answers.length > 0 ? ` ${answers.join(', ')}` : ''}`;
}

function table(rows: ReadonlyArray<{ client: string; question: string; bind: string; stopzone: string; agree: boolean }>): string {
  const header = { client: 'client (group)', question: 'question', bind: 'BIND', stopzone: 'Stopzone', agree: true };
  const width = (key: 'client' | 'question' | 'bind') => Math.max(...[header, ...rows].map((r) => r[key].length));
  const [wc, wq, wb] = [width('client'), width('question'), width('bind')];
  return [header, ...rows]
    .map((r, i) => `${r.client.padEnd(wc)}  ${r.question.padEnd(wq)}  ${r.bind.padEnd(wb)}  ${r.stopzone}${i > 0 && !r.agree ? '  << differs' : ''}`)
    .join('\n');
}
