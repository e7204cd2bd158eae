import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import { report, type ReportIo } from '../../src/cli/report.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Answer, Query } from '../../src/model/query.js';
import { BlockLog } from '../../src/observe/block-log.js';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet } from '../../src/rpz/policy-set.js';

/** Issue 18 §3.4: the block log configured as blocks.log is written as blocks.1.log, ...; report takes what the admin configured. */

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: ReportIo = {
    stdin: Object.assign(Readable.from([]), { isTTY: true }),
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    now: () => Date.now(),
  };
  return { code: await report(argv, io), out, err };
}

/** Writes `count` block events through the real block log, configured by `yaml` (pino-roll names the files). */
async function writeEvents(yaml: string, baseDir: string, count: number): Promise<void> {
  const config = parseConfig(yaml, {}, 'stopzone.yaml', baseDir);
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'));
  const zone = await loadPolicyZoneText('$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\nbad.example CNAME .\n', 'file.rpz');
  const set = new PolicySet([{ zone, settings: { policy: 'given', maxPolicyTtl: 5, breakDnssec: false, logName: 'file list', ede: { code: 15 }, log: true } }]);
  const hit = set.beforeResolution('bad.example', null).hit!;
  const query = { client: { address: '192.0.2.7', port: 1 }, question: { name: 'bad.example', lname: 'bad.example', type: 1, class: 1 }, listener: 'test', transport: 'udp' } as unknown as Query;
  const answer: Answer = { message: Buffer.alloc(12), source: 'policy', rcode: 3, policy: hit } as Answer;
  for (let i = 0; i < count; i++) log.record(query, answer, 15);
  await log.close();
}

t.test('report blocks.log reads what the block log configured as blocks.log wrote (blocks.1.log, ...), in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-rotated-'));
  const yaml = 'upstreams: ["127.0.0.1:53"]\nblockLog: { destination: file, file: blocks.log }\n';
  writeFileSync(join(dir, 'stopzone.yaml'), yaml);
  await writeEvents(yaml, dir, 3);
  t.notOk(readdirSync(dir).includes('blocks.log'), 'pino-roll writes no file under the configured name');
  const byPath = await run([join(dir, 'blocks.log')]);
  t.equal(byPath.code, 0, byPath.err);
  t.match(byPath.out, /blocked\s+3\b/, 'the configured path finds the rotated files');
  const byConfig = await run(['--config', join(dir, 'stopzone.yaml')]);
  t.equal(byConfig.code, 0, byConfig.err);
  t.match(byConfig.out, /blocked\s+3\b/, '--config finds blockLog.file, relative to the config file');

  // Rotations are read oldest first (blocks.2.log before blocks.10.log); the report says which it read.
  const event = (minute: number) => `{"level":30,"time":"2026-11-23T08:${String(minute).padStart(2, '0')}:00.000Z","msg":"blocked","client":"192.0.2.7","qname":"n${minute}.example","qtype":"A","zone":"z.rpz","list":"z","rule":"x","trigger":"qname","action":"nxdomain","ede":15}\n`;
  const many = mkdtempSync(join(tmpdir(), 'stopzone-rotated-'));
  writeFileSync(join(many, 'blocks.10.log'), event(10));
  writeFileSync(join(many, 'blocks.2.log'), event(2));
  writeFileSync(join(many, 'blocks-other.log'), event(30));
  const ordered = await run(['--format', 'json', join(many, 'blocks.log')]);
  t.equal(ordered.code, 0, ordered.err);
  const data = JSON.parse(ordered.out) as { totals: { blocked: number }; span: { first: string; last: string } };
  t.equal(data.totals.blocked, 2, 'blocks.2.log and blocks.10.log, not another file');

  const none = await run([join(many, 'nothing.log')]);
  t.equal(none.code, 2);
  t.match(none.err, /cannot read .*nothing\.log: no such file, and no rotated files nothing\.1\.log, nothing\.2\.log, \.\.\. beside it/);
});
