import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadPolicyZone } from '../../src/rpz/load-zone.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';

/**
 * Every real feed in ../shared/corpus loads as a policy zone: trigger and
 * action counts as the corpus README measured them, and its known defects
 * reported as warnings, not as a refused zone. A user's clone has no
 * ../shared: then this file skips (in CI, .ci/run has ../shared beside the clone: it fails instead).
 */
const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const skip = skipWhenMissing(!existsSync(corpus), '../shared/corpus not present');

const rows: Array<{ file: string; zone?: string; qname: number; ip?: number; actions: Record<string, number>; warnings: Record<string, number> }> = [
  { file: 'hagezi-rpz-light.txt', qname: 86826, actions: { nxdomain: 86826 }, warnings: {} },
  { file: 'hagezi-rpz-ultimate.mini.txt', qname: 148228, actions: { nxdomain: 148228 }, warnings: {} },
  { file: 'hagezi-rpz-nsfw.txt', qname: 153324, actions: { nxdomain: 153324 }, warnings: {} },
  { file: 'hagezi-rpz-nosafesearch.txt', qname: 356, actions: { nxdomain: 356 }, warnings: {} },
  // Every rpz-ip owner lacks its prefix length: BIND ignores them all, so does Stopzone, and says so.
  { file: 'hagezi-rpz-tif-ips.txt', qname: 0, ip: 0, actions: {}, warnings: { 'invalid rpz IP address': 44531 } },
  // SOA serials wider than 32 bits: BIND refuses these zones; Stopzone loads the rules and warns.
  { file: 'oisd-small.rpz', qname: 85032, actions: { nxdomain: 85032 }, warnings: { 'SOA serial out of range': 1 } },
  { file: 'urlhaus-hostfile.rpz', qname: 1020, actions: { nxdomain: 1020 }, warnings: { 'SOA serial out of range': 1 } },
  { file: 'mypdns-safesearch.rpz', zone: 'safesearch.mypdns.cloud', qname: 205, actions: { 'local-data': 205 }, warnings: {} },
];

t.test('the real feeds load with the counts and warnings a user should see', { skip }, async (t) => {
  for (const row of rows) {
    const zone = await loadPolicyZone(`${corpus}${row.file}`, row.zone ?? 'rpz.test');
    const { triggers, actions, warnings } = zone.stats;
    t.equal(triggers.qname, row.qname, `${row.file}: QNAME triggers`);
    if (row.ip !== undefined) t.equal(triggers.ip, row.ip, `${row.file}: rpz-ip triggers`);
    t.same(Object.fromEntries(Object.entries(actions).filter(([, n]) => n > 0)), row.actions, `${row.file}: actions`);
    t.same(Object.fromEntries(warnings.map((w) => [w.kind, w.count])), row.warnings, `${row.file}: warnings`);
    for (const warning of warnings) t.match(warning.examples[0], new RegExp(`^${corpus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${row.file}:\\d+: `), `${row.file}: ${warning.kind} names file:line`);
  }
});

t.test('the mypdns safe-search zone under another name: every owner is out of zone', { skip }, async (t) => {
  const zone = await loadPolicyZone(`${corpus}mypdns-safesearch.rpz`, 'rpz.test');
  t.equal(zone.stats.triggers.qname, 0);
  t.ok(zone.stats.warnings.some((w) => w.kind === 'owner outside the zone' && w.count >= 205));
});
