import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import type { ClientGroup } from '../../src/model/query.js';
import { PolicySet, type ZoneSettings } from '../../src/rpz/policy-set.js';
import { respond, type PageRequest } from '../../src/stop-page/page.js';
import { loadTemplates } from '../../src/stop-page/templates.js';

/** respond() alone: the page for a request, against a real PolicySet (no sockets). */
const KEY = Buffer.from('stop page test key');
const NOW = Date.UTC(2025, 5, 1, 14, 3, 7);

const settings = (over: Partial<ZoneSettings>): ZoneSettings => ({ policy: 'stop-page', maxPolicyTtl: 5, breakDnssec: false, logName: 'list', ede: { code: 15 }, log: true, ...over });

async function policy() {
  const zone = async (name: string, text: string) => loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${text}`, name);
  const set = new PolicySet([
    {
      zone: await zone('legal.rpz', 'court.example CNAME .\n'),
      settings: settings({
        logName: 'Court-ordered list',
        page: { title: 'Blocked by court order', reason: 'A court ordered <b>"this"</b> block.', reference: 'Order 12/2024', referenceUrl: 'https://example.org/order?a=1&b=2', contact: 'Write to the appeals office', contactUrl: 'mailto:appeals@example.org', legal: true },
      }),
    },
    {
      zone: await zone('school.rpz', 'games.example CNAME .\n*.games.example CNAME .\nok.games.example CNAME rpz-passthru.\n32.5.2.0.192.rpz-client-ip CNAME .\n'),
      settings: settings({ policy: 'given', logName: 'School policy', page: { reason: 'Games are not for lessons.', referenceUrl: 'javascript:alert(1)', contactUrl: 'data:text/html,hi', legal: false } }),
    },
  ]);
  return { current: () => set };
}

const deps = async (templatesDir?: string) => ({ policy: await policy(), referenceKey: KEY, templates: loadTemplates(templatesDir), now: () => NOW });
const request = (over: Partial<PageRequest>): PageRequest => ({ method: 'GET', url: '/', host: 'court.example', client: '127.0.0.1', acceptLanguage: undefined, ...over });

t.test('a legal list: 451, its texts and links, the host, the time and the log reference code', async (t) => {
  const d = await deps();
  const answer = respond(d, request({ host: 'Court.Example.:8080', url: '/some/deep/path?q=1' }));
  t.equal(answer.status, 451);
  const ref = 'TZWPMXAD'; // computed outside Stopzone with Python's hashlib, as test/observe/block-event.test.ts
  t.same(answer.view, { client: '127.0.0.1', host: 'court.example', zone: 'legal.rpz', rule: 'court.example.legal.rpz', ref, status: 451 });
  for (const want of [
    '<h1>Blocked by court order</h1>',
    '<span class="host">court.example</span>',
    'A court ordered &lt;b&gt;&quot;this&quot;&lt;/b&gt; block.',
    '<a href="https://example.org/order?a&#61;1&amp;b&#61;2" rel="noreferrer">Order 12/2024</a>',
    '<a href="mailto:appeals@example.org" rel="noreferrer">Write to the appeals office</a>',
    '<dd>Court-ordered list</dd>',
    '2025-06-01 14:03:07 UTC',
    `<dd class="ref">${ref}</dd>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
  ]) {
    t.ok(answer.body.includes(want), `page has ${want}`);
  }
  t.notOk(answer.body.includes('<b>'), 'markup from the config is escaped');
  t.match(answer.headers, {
    'content-security-policy': /^default-src 'none'; style-src 'unsafe-inline'/,
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex',
    'content-type': 'text/html; charset=utf-8',
    'content-language': 'en',
  });
  t.notOk(/<script|<link|src=|url\(/i.test(answer.body), 'no scripts and no external assets');
});

t.test('other lists: 403, defaults, unsafe link schemes dropped, wildcard rules named', async (t) => {
  const d = await deps();
  const answer = respond(d, request({ host: 'www.games.example' }));
  t.equal(answer.status, 403);
  t.equal(answer.view?.rule, '*.games.example.school.rpz');
  t.ok(answer.body.includes('<h1>This site is blocked</h1>'), 'default title');
  t.ok(answer.body.includes('Games are not for lessons.'));
  t.ok(answer.body.includes('Ask your network administrator.'), 'no contact: the default advice');
  t.notOk(/javascript:|data:|Grounds/.test(answer.body), 'javascript: and data: links are not shown');
});

t.test('not blocked: passthru rules, unlisted names and address literals get the neutral 404 page', async (t) => {
  const d = await deps();
  for (const host of ['ok.games.example', 'example.com', '192.0.2.1:8080', '[::1]:443']) {
    const answer = respond(d, request({ host }));
    t.equal(answer.status, 404, host);
    t.ok(answer.body.includes('is not blocked here'), host);
    t.equal(answer.view?.zone, null);
  }
});

t.test('a hostile or absurd Host gets the generic page, never echoed', async (t) => {
  const d = await deps();
  const hostile = ['"><script>alert(1)</script>', "court.example'onload='x", 'a'.repeat(254), `${'a'.repeat(64)}.example`, 'court example', 'bad..example', '', 'ex\u00e4mple.com', '-lead.example'];
  for (const host of hostile) {
    const answer = respond(d, request({ host }));
    t.equal(answer.status, 400, JSON.stringify(host.slice(0, 30)));
    t.notOk(answer.body.includes('<script') || answer.body.includes('onload'), 'not echoed');
  }
  t.equal(respond(d, request({ host: undefined, servername: 'court.example' })).status, 451, 'no Host: the TLS SNI name');
});

t.test('Client-IP triggers use the TCP peer, IPv4-mapped forms normalised', async (t) => {
  const d = await deps();
  const answer = respond(d, request({ host: 'anything.example', client: '::ffff:192.0.2.5' }));
  t.equal(answer.status, 403);
  t.same(answer.view && [answer.view.client, answer.view.rule], ['192.0.2.5', '32.5.2.0.192.rpz-client-ip.school.rpz']);
  t.equal(answer.view?.ref, 'AFBYSN6N', 'the code of the client the page names (computed outside Stopzone with hashlib)');
});

t.test('/robots.txt disallows everything, on any host, without a page-view log line', async (t) => {
  const d = await deps();
  for (const host of ['court.example', 'example.com', undefined]) {
    const answer = respond(d, request({ host, url: '/robots.txt' }));
    t.equal(answer.status, 200);
    t.equal(answer.body, 'User-agent: *\nDisallow: /\n');
    t.equal(answer.view, undefined);
  }
  t.equal(respond(d, request({ url: '/robots.txt.bak' })).status, 451, 'other paths show the page');
});

t.test('operator templates: chosen by Accept-Language q-values, English built in, default.html otherwise', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-templates-'));
  writeFileSync(join(dir, 'de.html'), '<html lang="de"><h1>{{title}}</h1><p>{{host}} gesperrt ({{list}}, {{ref}}){{#referenceUrl}} <a href="{{referenceUrl}}">Grundlage</a>{{/referenceUrl}}</p>');
  writeFileSync(join(dir, 'pt-br.html'), '<p>bloqueado: {{host}}</p>');
  writeFileSync(join(dir, 'default.html'), '<p>DEFAULT {{host}}</p>');
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  const d = await deps(dir);
  const rows = [
    { accept: 'de-CH,de;q=0.9,en;q=0.8', want: /^<html lang="de"><h1>Blocked by court order<\/h1><p>court\.example gesperrt \(Court-ordered list, [0-9A-Z]{8}\) <a href="https:\/\/example\.org/, lang: 'de' },
    { accept: 'fr;q=1, en;q=0.5, de;q=0.4', want: /<h1>Blocked by court order<\/h1>/, lang: 'en' },
    { accept: 'en;q=0.2, de;q=0.9', want: /gesperrt/, lang: 'de' },
    { accept: 'pt', want: /^<p>bloqueado: court\.example<\/p>$/, lang: 'pt-br' },
    { accept: 'fr', want: /^<p>DEFAULT court\.example<\/p>$/, lang: undefined },
    { accept: undefined, want: /^<p>DEFAULT/, lang: undefined },
    { accept: 'de;q=0, fr', want: /^<p>DEFAULT/, lang: undefined },
  ];
  for (const row of rows) {
    const answer = respond(d, request({ acceptLanguage: row.accept }));
    t.match(answer.body, row.want, String(row.accept));
    t.equal(answer.headers['content-language'], row.lang, `${row.accept}: Content-Language`);
  }
});

t.test('template mistakes fail at start-up with the file, the line and what was expected', async (t) => {
  const cases = [
    { text: 'ok\n{{hots}}', want: /de\.html:2: unknown placeholder "\{\{hots\}\}"; expected one of \{\{title\}\}/ },
    { text: '{{#reason}}x', want: /de\.html:1: \{\{#reason\}\} is never closed with \{\{\/reason\}\}/ },
    { text: '{{#reason}}x{{/title}}', want: /de\.html:1: "\{\{\/title\}\}" closes \{\{#reason\}\} of line 1/ },
  ];
  for (const c of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'stopzone-templates-'));
    writeFileSync(join(dir, 'de.html'), c.text);
    t.throws(() => loadTemplates(dir), c.want);
  }
  t.throws(() => loadTemplates('/nonexistent/stopzone'), /stopPage\.templatesDir "\/nonexistent\/stopzone": cannot read the directory/);
});

t.test('the visitor\'s group: only its zones count, its name shown escaped; unknown or no groups: every zone, no name', async (t) => {
  const zone = await loadPolicyZoneText('$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\ngames.example CNAME .\n', 'school.rpz');
  // The school list applies to group 1 only; group 2's name is hostile, as no config can make it (the schema refuses it).
  const set = new PolicySet([{ zone, settings: settings({ logName: 'School list', groups: ['never', 'always', 'never'] }) }]);
  const students = { name: 'students', index: 1, upstreamSet: 0, grouped: true };
  const hostile = { name: '<b>"x"</b>', index: 2, upstreamSet: 0, grouped: true };
  const byAddress: Record<string, ClientGroup | null> = { '10.0.0.1': students, '10.0.0.2': hostile, '10.0.0.3': null, '10.0.0.4': { name: 'default', index: 0, upstreamSet: 0, grouped: false } };
  const d = { ...(await deps()), policy: { current: () => set }, groups: () => ({ groups: [], byAddress: (client: string) => byAddress[client] ?? null }) };
  const visit = (client: string) => respond(d, request({ host: 'games.example', client }));

  const student = visit('10.0.0.1');
  t.equal(student.status, 403);
  t.ok(student.body.includes('<dt>Your group</dt><dd>students</dd>'));
  t.equal(student.view?.group, 'students');
  const other = visit('10.0.0.2');
  t.equal(other.status, 404, 'the list does not apply to that group');
  t.ok(other.body.includes('for your group, &lt;b&gt;&quot;x&quot;&lt;/b&gt;.'), 'the name escaped');
  t.notOk(other.body.includes('<b>'));
  const unknown = visit('10.0.0.3');
  t.same([unknown.status, unknown.body.includes('Your group'), 'group' in unknown.view!], [403, false, false], 'the group cannot be told: every zone, as without groups');
  const ungrouped = visit('10.0.0.4');
  t.same([ungrouped.status, ungrouped.body.includes('Your group'), 'group' in ungrouped.view!], [404, false, false], 'no groups in the config: the default group\'s zones, not named');
});
