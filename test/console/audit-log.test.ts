import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FileAuditLog } from '../../src/console/audit-log.js';

/** The audit log's file: JSON lines appended, listed newest first from the file's end, a damaged line skipped. */
t.test('entries appended, listed newest first up to a limit; a missing file is an empty log', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'stopzone-audit-')), 'console', 'audit.log');
  const log = new FileAuditLog(path);
  t.same(await log.list(10), [], 'no file yet');
  for (let i = 1; i <= 5; i++) await log.append({ time: i, who: 'admin', what: 'rule.add', detail: `rule ${i}` });
  appendFileSync(path, '{"time": "not a number"}\nnot json at all\n');
  await log.append({ time: 6, who: 'token:deploy', what: 'pause.add', detail: 'line\nbreak and "quotes"' });
  t.same((await log.list(3)).map((entry) => entry.time), [6, 5, 4]);
  t.same((await log.list(100)).map((entry) => entry.time), [6, 5, 4, 3, 2, 1], 'damaged lines skipped');
  t.same((await log.list(1))[0], { time: 6, who: 'token:deploy', what: 'pause.add', detail: 'line\nbreak and "quotes"' });
  t.equal(readFileSync(path, 'utf8').split('\n').length, 9, 'one line per entry: a line break in a detail stays inside its JSON string');
});

t.test('a file larger than the part read: its end is listed, the cut first line dropped', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'stopzone-audit-')), 'audit.log');
  const log = new FileAuditLog(path);
  const detail = 'x'.repeat(1000);
  for (let i = 0; i < 1500; i++) appendFileSync(path, `${JSON.stringify({ time: i, who: 'admin', what: 'rule.add', detail })}\n`);
  const all = await log.list(10_000);
  t.ok(all.length > 900 && all.length < 1100, `about a MiB of entries (${all.length})`);
  t.equal(all[0]!.time, 1499, 'the newest first');
  t.equal(all.at(-1)!.time, 1500 - all.length, 'a run back from the end, nothing half-read');
});
