import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { edeOption } from '../../src/dns/ede.js';
import { parseConfig } from '../../src/config/load-config.js';
import { BlockLog } from '../../src/observe/block-log.js';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet } from '../../src/rpz/policy-set.js';
import type { Answer, Query } from '../../src/server/query.js';

t.test('destination "file": events land in the rotated file (pino-roll) and are flushed on close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-blocklog-'));
  const config = parseConfig(`upstreams: ["127.0.0.1:53"]\nblockLog: { destination: file, file: ${join(dir, 'blocks.log')} }\n`, {}, 'test');
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'));
  const zone = await loadPolicyZoneText('$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\nbad.example CNAME .\n', 'file.rpz');
  const set = new PolicySet([{ zone, settings: { policy: 'given', maxPolicyTtl: 5, recursiveOnly: true, breakDnssec: false, logName: 'file list', ede: { code: 15 }, log: true } }]);
  const hit = set.beforeResolution('bad.example', null, true).hit!;
  const query = { client: { address: '192.0.2.7', port: 1 }, question: { name: 'bad.example', lname: 'bad.example', type: 1, class: 1 }, listener: 'test', transport: 'udp' } as unknown as Query;
  const answer: Answer = { message: Buffer.alloc(12), source: 'policy', rcode: 3, policy: hit };
  for (let i = 0; i < 3; i++) log.record(query, answer, 15);
  await log.close();
  const files = readdirSync(dir).filter((f) => f.startsWith('blocks'));
  t.ok(files.length >= 1, `written: ${files.join(', ')}`);
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
  t.equal(lines.length, 3);
  t.match(JSON.parse(lines[0]!), { msg: 'blocked', client: '192.0.2.7', zone: 'file.rpz', rule: 'bad.example.file.rpz', ede: 15 });
});

t.test('edeOption: code, length, INFO-CODE, UTF-8 text, bounded', async (t) => {
  const option = edeOption(16, 'Blocked by Liste nationale é');
  t.equal(option.readUInt16BE(0), 15, 'option code 15');
  t.equal(option.readUInt16BE(2), option.length - 4, 'option length');
  t.equal(option.readUInt16BE(4), 16, 'INFO-CODE');
  t.equal(option.subarray(6).toString('utf8'), 'Blocked by Liste nationale é');
  const long = edeOption(15, 'é'.repeat(300));
  t.ok(long.length - 6 <= 200, 'EXTRA-TEXT at most 200 bytes');
  t.notMatch(long.subarray(6).toString('utf8'), /\uFFFD/, 'not cut inside a character');
});
