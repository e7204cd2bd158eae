import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { readZone, readZoneText, type ReadZoneOptions } from '../../src/rpz/zone-reader.js';

/**
 * What a zone file cannot make the reader spend or say: lines and entries
 * are bounded (a multi-megabyte line fails at once with a short message),
 * tokens are quoted as short excerpts with control characters escaped,
 * $INCLUDE reads only regular files within a byte budget, and text that came
 * from elsewhere includes nothing.
 */

const ORIGIN = 'rpz.example';
const MIB = 1 << 20;

async function failure(read: Promise<unknown>): Promise<Error & { line?: number }> {
  const error = await read.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the read to fail');
  return error;
}

const text = (zone: string, options: Partial<ReadZoneOptions> = {}) => readZoneText(zone, 'zone.rpz', { origin: ORIGIN, ...options }, () => {});

t.test('a multi-megabyte line fails with a short message naming file, line and the limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stopzone-long-line-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rows: Array<{ name: string; content: string; line: number }> = [
    { name: 'one line of 8 MB, no newline', content: 'a'.repeat(8 * MIB), line: 1 },
    { name: 'records, then a line of 8 MB, then more', content: `a CNAME .\nb CNAME .\n${'x '.repeat(4 * MIB)}\nc CNAME .\n`, line: 3 },
    { name: 'a comment of 3 MB', content: `a CNAME .\n;${'c'.repeat(3 * MIB)}\n`, line: 2 },
  ];
  for (const row of rows) {
    const file = join(dir, 'long.rpz');
    await writeFile(file, row.content);
    const records: string[] = [];
    const error = await failure(readZone(file, { origin: ORIGIN }, (r) => records.push(r.owner)));
    t.equal(error.name, 'ZoneSyntaxError', row.name);
    t.match(error.message, `${file}:${row.line}: found a line longer than 1,048,576 characters`, `${row.name}: file, line, what was found`);
    t.match(error.message, 'expected lines of at most 1,048,576 characters', `${row.name}: what was expected`);
    t.ok(error.message.length < 300, `${row.name}: the message is short (${error.message.length} characters)`);
    t.ok(records.length < 3, `${row.name}: nothing after the long line was read`);
  }
  const viaText = await failure(text(`a CNAME .\n${'y'.repeat(3 * MIB)}`));
  t.match(viaText.message, /^zone\.rpz:2: found a line longer than 1,048,576 characters/, 'text is bounded the same way');
  t.ok(viaText.message.length < 300);
  const lower = await failure(text(`a CNAME .\nb TXT "${'z'.repeat(5000)}"\n`, { maxLineLength: 4096 }));
  t.match(lower.message, /^zone\.rpz:2: found a line longer than 4,096 characters .*expected lines of at most 4,096 characters/, 'the limit is an option');
  await text(`b TXT "${'z'.repeat(4000)}"\n`, { maxLineLength: 4096 });
});

t.test('an entry that parentheses join over many lines is bounded too', async (t) => {
  const zone = `a TXT (\n${'  "0123456789"\n'.repeat(400)})\n`;
  const error = await failure(text(zone, { maxLineLength: 1024 }));
  t.match(error.message, /^zone\.rpz:1: found an entry longer than 1,024 characters \(from line 1, joined by parentheses\), expected entries of at most 1,024 characters/);
  t.ok(error.message.length < 300);
  const records: string[][] = [];
  await readZoneText(zone, 'zone.rpz', { origin: ORIGIN, maxLineLength: 8192 }, (r) => records.push(r.rdata));
  t.equal(records[0]?.length, 400, 'under the limit it loads');
});

t.test('errors quote a long token as a short excerpt, with its length', async (t) => {
  const label = 'q'.repeat(100_000);
  const error = await failure(text(`ok CNAME .\n${label} CNAME .\n`));
  t.match(error.message, /^zone\.rpz:2: found "q{80}…" \(100,000 characters\), expected labels of at most 63 octets$/);
  const type = await failure(text(`a ${'T'.repeat(500)} .\n`));
  t.ok(type.message.length < 200, `an unknown type of 500 characters: ${type.message.length} characters`);
});

t.test('control characters in a token are escaped in the message', async (t) => {
  const error = await failure(text('a \u001b[2J\u0007 CNAME .\n'));
  t.equal(error.message, 'zone.rpz:1: found "\\027[2J\\007", expected a class (IN), a TTL or a record type');
  t.notMatch(error.message, /[\u0000-\u001f\u007f]/, 'nothing a terminal would act on');
});

t.test('$INCLUDE of a local file: regular files only, within a byte budget', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stopzone-include-limits-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const at = (name: string) => join(dir, name);
  await mkdir(at('a-directory'));
  const rows: Array<[string, string, string]> = [
    ['a directory', at('a-directory'), 'a directory'],
    ['a character device', '/dev/null', 'a character device'],
    ['/dev/zero', '/dev/zero', 'a character device'],
  ];
  for (const [name, target, kind] of rows) {
    await writeFile(at('main.rpz'), `a CNAME .\n$INCLUDE ${target}\n`);
    const error = await failure(readZone(at('main.rpz'), { origin: ORIGIN }, () => {}));
    t.equal(error.message, `${at('main.rpz')}:2: found "${target}", expected a regular file to $INCLUDE (${target} is ${kind})`, name);
  }

  await writeFile(at('part.rpz'), `${'x CNAME .\n'.repeat(100)}`); // 1,000 bytes
  await writeFile(at('many.rpz'), '$INCLUDE part.rpz\n'.repeat(5));
  let records = 0;
  await readZone(at('many.rpz'), { origin: ORIGIN, maxBytes: 6000 }, () => records++);
  t.equal(records, 500, 'within the budget every include is read');
  const error = await failure(readZone(at('many.rpz'), { origin: ORIGIN, maxBytes: 3500 }, () => {}));
  t.equal(error.message, `${at('many.rpz')}:4: found "part.rpz" (1,000 bytes), expected at most 3,500 bytes for the zone with its $INCLUDE files (3,090 read before it)`);
});

t.test('text from elsewhere includes nothing: $INCLUDE is refused with the reason', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stopzone-include-refused-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const secret = join(dir, 'secret.txt');
  await writeFile(secret, 'leak token-from-a-local-file\n');
  const expected = 'expected a record, $ORIGIN or $TTL ($INCLUDE is not allowed in a downloaded zone)';
  const viaText = await failure(text(`a CNAME .\n$INCLUDE ${secret}\n`));
  t.equal(viaText.message, `zone.rpz:2: found $INCLUDE, ${expected}`, 'readZoneText refuses $INCLUDE unless told otherwise');
  const copy = join(dir, 'feed.rpz');
  await writeFile(copy, `a CNAME .\n\n$include ${secret} sub\n`);
  const viaFile = await failure(readZone(copy, { origin: ORIGIN, includes: 'refused' }, () => {}));
  t.equal(viaFile.message, `${copy}:3: found $INCLUDE, ${expected}`, 'a downloaded copy is read with includes refused');
  t.notMatch(viaFile.message, 'token-from-a-local-file');
});

t.test('warnings about unusable records quote their data as short excerpts', async (t) => {
  const huge = 'z'.repeat(200_000);
  const zone = await loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\na A ${huge}\nb TYPE999 \\# 3 ${huge}\nc CNAME rpz-${huge}.\nd TXT "ok"\n`, 'limits.rpz');
  const examples = zone.stats.warnings.flatMap((w) => w.examples);
  t.equal(examples.length, 3, 'three records skipped, each with its example');
  for (const example of examples) t.ok(example.length < 300, `${example.slice(0, 60)}…: ${example.length} characters`);
  t.match(examples[0], /^limits\.rpz:3: found "z{80}…" \(200,000 characters\), expected an IPv4 address$/);
  t.equal(zone.stats.triggers.qname, 1, 'the usable record loads');
});
