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
