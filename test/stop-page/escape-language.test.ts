import t from 'tap';
import { escapeHtml, safeUrl } from '../../src/stop-page/escape.js';
import { parseHost } from '../../src/stop-page/host-header.js';
import { chooseLanguage, parseAcceptLanguage } from '../../src/stop-page/language.js';
import { fillTemplate, parseTemplate } from '../../src/stop-page/template.js';

t.test('escapeHtml leaves nothing that can open a tag or an attribute', async (t) => {
  t.equal(escapeHtml(`<script>alert("x")</script> & 'y' \`z\` a=b`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;z&#96; a&#61;b');
});

t.test('safeUrl keeps absolute http, https and mailto links only', async (t) => {
  const rows: Array<[string | undefined, string]> = [
    ['https://example.org/appeal', 'https://example.org/appeal'],
    ['http://example.org', 'http://example.org/'],
    ['mailto:appeals@example.org', 'mailto:appeals@example.org'],
    ['  HTTPS://Example.org/x  ', 'https://example.org/x'],
    ['javascript:alert(1)', ''],
    ['JaVaScRiPt:alert(1)', ''],
    ['data:text/html,<script>', ''],
    ['vbscript:x', ''],
    ['/relative/path', ''],
    ['//example.org/x', ''],
    ['file:///etc/passwd', ''],
    ['', ''],
    [undefined, ''],
  ];
  for (const [input, want] of rows) t.equal(safeUrl(input), want, String(input));
});

t.test('parseHost: lower-case, port and trailing dot removed, nonsense refused', async (t) => {
  const rows: Array<[string | undefined, ReturnType<typeof parseHost>]> = [
    ['Blocked.Example.Test:8080', { kind: 'name', host: 'blocked.example.test' }],
    ['blocked.example.test.', { kind: 'name', host: 'blocked.example.test' }],
    ['_dmarc.example', { kind: 'name', host: '_dmarc.example' }],
    ['xn--bcher-kva.example', { kind: 'name', host: 'xn--bcher-kva.example' }],
    ['192.0.2.1:80', { kind: 'address', host: '192.0.2.1' }],
    ['[2001:DB8::1]:443', { kind: 'address', host: '2001:db8::1' }],
    ['[::1]', { kind: 'address', host: '::1' }],
    ['2001:db8::1', { kind: 'invalid' }],
    ['[not-v6]:80', { kind: 'invalid' }],
    ['a b', { kind: 'invalid' }],
    ['a/b', { kind: 'invalid' }],
    ['.', { kind: 'invalid' }],
    ['', { kind: 'invalid' }],
    [undefined, { kind: 'invalid' }],
    [`${'a.'.repeat(127)}a`, { kind: 'invalid' }],
  ];
  for (const [input, want] of rows) t.same(parseHost(input), want, String(input).slice(0, 40));
});

t.test('chooseLanguage: q-values, then order; exact, primary, then a regional variant', async (t) => {
  const available = ['en', 'de', 'fr-ca', 'pt-br', 'pt'];
  const rows: Array<[string | undefined, string | null]> = [
    ['de', 'de'],
    ['de-AT,de;q=0.9', 'de'],
    ['fr', 'fr-ca'],
    ['pt-PT', 'pt'],
    ['pt-BR', 'pt-br'],
    ['es, de;q=0.5', 'de'],
    ['en;q=0.1, de;q=0.8', 'de'],
    ['en, de', 'en'],
    ['de;q=0, en;q=0.1', 'en'],
    ['es', null],
    ['*', null],
    ['', null],
    [undefined, null],
    ['garbage;;;,,q=2', null],
  ];
  for (const [header, want] of rows) t.equal(chooseLanguage(header, available), want, String(header));
});

t.test('templates: placeholders escaped, sections shown when a value is present or absent', async (t) => {
  const template = parseTemplate('{{title}}|{{#contactUrl}}<a href="{{contactUrl}}">{{/contactUrl}}{{^contact}}none{{/contact}}|{{ host }}', 'inline');
  const values = { title: '<i>', reason: '', host: 'a"b', list: '', reference: '', referenceUrl: '', contact: '', contactUrl: 'https://x.example/?a=1', time: '', ref: '', status: '', lang: '', group: '' };
  t.equal(fillTemplate(template, values), '&lt;i&gt;|<a href="https://x.example/?a&#61;1">none|a&quot;b');
  t.equal(fillTemplate(template, { ...values, contactUrl: '', contact: 'c' }), '&lt;i&gt;||a&quot;b');
});

t.test('Accept-Language is read up to its first 1000 characters: a header of thousands of ranges costs no more', async (t) => {
  const filler = Array.from({ length: 3000 }, (_, i) => `x${String(i % 1000).padStart(3, '0')};q=0.5`).join(', ');
  t.ok(filler.length > 16_000, `a ${filler.length}-character header (Node's whole header limit is 16 KiB)`);
  t.equal(chooseLanguage(`${filler}, de;q=1`, ['en', 'de']), null, 'a language past the first 1000 characters is not seen');
  t.equal(chooseLanguage(`de;q=0.9, ${filler}`, ['en', 'de']), 'de', 'one within them is');
  // Each range is 12 characters with its ", ": 83 whole ones fit in 1000, plus the one cut at the end.
  t.ok(parseAcceptLanguage(filler).length <= 84, 'ranges come from the first 1000 characters only');
});
