import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/load-config.js';
import { loadZoneSource } from '../../src/sources/load-source.js';

/** Plain lists as the server loads them: names become rules; a line of megabytes fails at once, with a short message. */

const dir = mkdtempSync(join(tmpdir(), 'stopzone-plain-list-'));
const zone = (format: string, file: string, extra = '') => parseConfig(`policy: { zones: [{ name: list.rpz, file: "${file}", format: ${format}${extra} }] }\n`, {}).policy.zones[0]!;

t.test('each format gives its names; comments and other lines are skipped', async (t) => {
  const rows: Array<[string, string]> = [
    ['domains', '# c\nads.example\ntrack.example extra words\n'],
    ['hosts', '0.0.0.0 ads.example\n127.0.0.1 track.example\n192.0.2.1 real.example\n'],
    ['adblock', '! c\n||ads.example^\n||track.example^$important\n||x.example^$third-party\n'],
  ];
  for (const [format, text] of rows) {
    const file = join(dir, `${format}.txt`);
    writeFileSync(file, text);
    const loaded = await loadZoneSource(zone(format, file), file);
    t.equal(loaded.stats.triggers.qname, 4, `${format}: two names, each with its wildcard`);
    t.ok(loaded.indexes.qname.lookup('ads.example') !== null && loaded.indexes.qname.lookup('www.track.example') !== null, `${format}: the names and the names below them`);
  }
});

t.test('a line of megabytes fails with a short message naming file, line and the limit', async (t) => {
  for (const format of ['domains', 'hosts', 'adblock']) {
    const file = join(dir, `long-${format}.txt`);
    writeFileSync(file, `ads.example\n${'a'.repeat(6 << 20)}\nmore.example\n`);
    const error = await loadZoneSource(zone(format, file), file).then(
      () => null,
      (e: unknown) => e as Error,
    );
    t.match(error?.message, `${file}:2: found a line longer than 1,048,576 characters`, `${format}: file, line, what was found`);
    t.match(error?.message, 'expected lines of at most 1,048,576 characters', format);
    t.ok(error !== null && error.message.length < 300, `${format}: ${error?.message.length} characters`);
  }
  const file = join(dir, 'limit.txt');
  writeFileSync(file, `ads.example\n${'b'.repeat(3000)}.example\n`);
  await t.rejects(loadZoneSource(zone('domains', file, ', maxLineLength: 2048'), file), { message: new RegExp(`^${file}:2: found a line longer than 2,048 characters`) }, 'the limit is the zone\'s maxLineLength');
});

t.test('a line with a long run of spaces loads at once: comments are cut by a scan, not a regex that retries from each space', async (t) => {
  // 400,000 spaces: /\s+#.*$/ retried from each of them, some 10^11 steps (minutes); the scan reads each once.
  const spaces = ' '.repeat(400_000);
  for (const [format, line] of [['domains', `wide.example${spaces}other.example`], ['hosts', `0.0.0.0${spaces}wide.example other.example`]] as const) {
    const file = join(dir, `spaces-${format}.txt`);
    writeFileSync(file, `${line}\nkept.example${spaces}# why it is here\n${format === 'hosts' ? '0.0.0.0 ' : ''}x#y.example\n`);
    const loaded = await loadZoneSource(zone(format, file), file);
    const { qname } = loaded.indexes;
    t.ok(qname.lookup('wide.example') !== null && qname.lookup('other.example') !== null, `${format}: both names of the wide line`);
    if (format === 'domains') t.ok(qname.lookup('kept.example') !== null, 'domains: the name before a comment far to the right');
    t.equal(qname.lookup('x#y.example'), null, `${format}: a "#" inside a word is no comment: the word is reported, not cut`);
    t.ok(loaded.stats.warnings.some((w) => w.kind === 'not a host name' && w.examples.some((e) => e.includes('x#y.example'))), `${format}: and the word is reported`);
  }
  // A comment ends at a line terminator inside a line ("\r", U+2028), as the regex's "." did: what follows it is
  // read, and the "#word" before it reported.
  const file = join(dir, 'terminator.txt');
  writeFileSync(file, '0.0.0.0 ads.example #note\rtrack.example\n0.0.0.0 one.example # why\u2028two.example\n');
  const loaded = await loadZoneSource(zone('hosts', file), file);
  for (const name of ['ads.example', 'track.example', 'one.example', 'two.example']) t.not(loaded.indexes.qname.lookup(name), null, `${name} after a comment that a line terminator ends`);
  t.ok(loaded.stats.warnings.some((w) => w.examples.some((e) => e.includes('"#note"'))), 'the "#note" before it reported');
});

t.test('nothing in a list is skipped silently: typos, single labels, URLs, duplicates are reported with file:line; the rest loads (issue 18 §3.2)', async (t) => {
  const file = join(dir, 'typos.txt');
  writeFileSync(file, ['# school list', 'ads.example', 'tiktok example.com', 'https://video.example/watch?v=1', 'ads.example', 'bad!name.example', 'www.ok.example  # why it is here', '192.0.2.1', ''].join('\n'));
  const loaded = await loadZoneSource(zone('domains', file), file);
  const { qname } = loaded.indexes;
  t.ok(qname.lookup('example.com') !== null, 'the intended name of "tiktok example.com" is blocked');
  t.equal(qname.lookup('anything.tiktok'), null, 'the typo does not block the whole .tiktok TLD');
  t.ok(qname.lookup('www.ok.example') !== null, 'a name followed by a # comment loads');
  t.equal(qname.lookup('video.example'), null, 'a URL is reported, not guessed at');
  const warnings = Object.fromEntries(loaded.stats.warnings.map((w) => [w.kind, w]));
  t.same(Object.keys(warnings).sort(), ['URL instead of a host name', 'duplicate name', 'not a host name', 'single-label name (a whole top-level domain)'].sort(), 'one warning per kind');
  t.match(warnings['single-label name (a whole top-level domain)']?.examples, [`${file}:3: found "tiktok", which would block every name under .tiktok; expected a name with a dot`]);
  t.match(warnings['URL instead of a host name']?.examples, [`${file}:4: found "https://video.example/watch?v=1"; expected the host name alone ("video.example")`]);
  t.match(warnings['duplicate name']?.examples, [`${file}:5: "ads.example" is already listed at line 2`]);
  t.equal(warnings['not a host name']?.count, 2, 'a bad character and an address');
  t.match(warnings['not a host name']?.examples, [`${file}:6: found "bad!name.example"; expected letters, digits`, `${file}:8: found "192.0.2.1", an address`]);

  const odd = join(dir, 'odd-names.txt');
  writeFileSync(odd, '-ads-.example\nx.y.7\n');
  const fromOdd = await loadZoneSource(zone('domains', odd), odd);
  t.ok(fromOdd.indexes.qname.lookup('-ads-.example') !== null && fromOdd.indexes.qname.lookup('x.y.7') !== null, 'odd but valid DNS names (a hyphen at a label\'s end, a numeric last label) are blocked, not dropped (fuzz finding)');
  t.same(fromOdd.stats.warnings, [], 'and not reported as mistakes');

  const hosts = join(dir, 'typos-hosts.txt');
  writeFileSync(hosts, '127.0.0.1 localhost\n::1 ip6-localhost ip6-loopback\n0.0.0.0 a.example b.example\n192.0.2.1 real.example\n0.0.0.0\n');
  const fromHosts = await loadZoneSource(zone('hosts', hosts), hosts);
  t.ok(fromHosts.indexes.qname.lookup('b.example') !== null, 'every name of a hosts line, not only the first');
  t.same(fromHosts.stats.warnings.map((w) => [w.kind, w.count, w.examples[0]?.split(': ')[0]]), [
    ['hosts line with a real address (not a block)', 1, `${hosts}:4`],
    ['not a hosts line', 1, `${hosts}:5`],
  ], 'the header boilerplate is not reported; a real address and a lone address are');

  const adblock = join(dir, 'typos-adblock.txt');
  writeFileSync(adblock, '[Adblock Plus 2.0]\n! comment\n||ads.example^\n||x.example^$third-party\nexample.org##.banner\n');
  const fromAdblock = await loadZoneSource(zone('adblock', adblock), adblock);
  t.same(fromAdblock.stats.warnings.map((w) => [w.kind, w.count]), [['adblock rule that is not a name block', 2]], 'browser rules are counted, not dropped silently');
});
