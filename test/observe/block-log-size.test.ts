import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/load-config.js';
import { BlockLog, pinoRollSize } from '../../src/observe/block-log.js';

/** Issue 18 §3.5: every size the schema accepts is one pino-roll reads with the same meaning. */
t.test('rotateSize as admins write it becomes pino-roll\'s one-letter form', async (t) => {
  const rows: Array<[string, string]> = [['100m', '100m'], ['100MB', '100m'], ['100MiB', '100m'], ['1g', '1g'], ['1 GB', '1g'], ['512k', '512k'], ['512KiB', '512k'], ['4096b', '4096b'], ['100', '100m']];
  for (const [given, want] of rows) t.equal(pinoRollSize(given), want, given);
});

t.test('a block log configured with rotateSize: 100MB opens (pino-roll alone refuses "100MB")', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-blocklog-size-'));
  const config = parseConfig(`blockLog: { destination: file, file: ${join(dir, 'blocks.log')}, rotateSize: 100MB, rotateFrequency: 3600000 }\n`, {}, 'test');
  const log = await BlockLog.open(config.blockLog, Buffer.from('k'));
  await log.close();
  t.equal(log.dropped, 0);
});
