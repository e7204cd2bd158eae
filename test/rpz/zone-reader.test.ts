import t from 'tap';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZone, readZoneText, ZoneSyntaxError, type ReadZoneOptions, type ZoneRecord } from '../../src/rpz/zone-reader.js';

const ORIGIN = 'rpz.example';

async function read(text: string, options: Partial<ReadZoneOptions> = {}): Promise<ZoneRecord[]> {
  const records: ZoneRecord[] = [];
  await readZoneText(text, 'zone.rpz', { origin: ORIGIN, ...options }, (r) => records.push(r));
  return records;
}

/** The fields most rows care about. */
function brief(r: ZoneRecord): [string, number, string, string[]] {
  return [r.owner, r.ttl, r.type, r.rdata];
}

t.test('records: one syntax feature per row', async (t) => {
  const rows: Array<{ name: string; zone: string; want: Array<[string, number, string, string[]]>; options?: Partial<ReadZoneOptions> }> = [
    { name: 'relative owner, no TTL, default TTL', zone: 'a CNAME .\n', want: [['a.rpz.example', 3600, 'CNAME', ['.']]] },
    { name: 'defaultTtl option', zone: 'a CNAME .\n', options: { defaultTtl: 60 }, want: [['a.rpz.example', 60, 'CNAME', ['.']]] },
    {
      name: '@, SOA with a serial beyond 32 bits, blank owner repeats @',
      zone: '$TTL 300\n@ SOA localhost. root.localhost. 20250715196 43200 3600 86400 300\n  NS  localhost.\n',
      want: [
        ['rpz.example', 300, 'SOA', ['localhost.', 'root.localhost.', '20250715196', '43200', '3600', '86400', '300']],
        ['rpz.example', 300, 'NS', ['localhost.']],
      ],
    },
    {
      name: 'TTL and class in either order, or absent',
      zone: 'a 300 IN CNAME .\nb IN 301 CNAME .\nc CNAME .\nd IN CNAME .\ne 302 CNAME .\n',
      want: [
        ['a.rpz.example', 300, 'CNAME', ['.']],
        ['b.rpz.example', 301, 'CNAME', ['.']],
        ['c.rpz.example', 301, 'CNAME', ['.']],
        ['d.rpz.example', 301, 'CNAME', ['.']],
        ['e.rpz.example', 302, 'CNAME', ['.']],
      ],
    },
    {
      name: 'letter case of types, classes, directives and owners',
      zone: '$ttl 60\nA.B in cname .\nc Class1 Txt x\nd cnAME *.\n$oRiGiN Sub\nE a 192.0.2.1\n',
      want: [
        ['a.b.rpz.example', 60, 'CNAME', ['.']],
        ['c.rpz.example', 60, 'TXT', ['x']],
        ['d.rpz.example', 60, 'CNAME', ['*.']],
        ['e.sub.rpz.example', 60, 'A', ['192.0.2.1']],
      ],
    },
    {
      name: '$TTL in units; $TTL wins over the last explicit TTL',
      zone: '$TTL 1h30m\na CNAME .\nb 10 CNAME .\nc CNAME .\n$TTL 1w\nd CNAME .\n$TTL 2D\ne CNAME .\n$TTL 1h30\nf CNAME .\ng 1M CNAME .\n',
      want: [
        ['a.rpz.example', 5400, 'CNAME', ['.']],
        ['b.rpz.example', 10, 'CNAME', ['.']],
        ['c.rpz.example', 5400, 'CNAME', ['.']],
        ['d.rpz.example', 604800, 'CNAME', ['.']],
        ['e.rpz.example', 172800, 'CNAME', ['.']],
        ['f.rpz.example', 3630, 'CNAME', ['.']],
        ['g.rpz.example', 60, 'CNAME', ['.']],
      ],
    },
    {
      name: 'no $TTL: the last explicit TTL carries on (RFC 1035, BIND); no SOA MINIMUM default (RFC 2308)',
      zone: '@ SOA a. b. 1 2 3 4 5\na CNAME .\nb 42 CNAME .\nc CNAME .\n',
      want: [
        ['rpz.example', 3600, 'SOA', ['a.', 'b.', '1', '2', '3', '4', '5']],
        ['a.rpz.example', 3600, 'CNAME', ['.']],
        ['b.rpz.example', 42, 'CNAME', ['.']],
        ['c.rpz.example', 42, 'CNAME', ['.']],
      ],
    },
    {
      name: 'TTLs up to 2^32-1 are passed on as written',
      zone: 'a 4294967295 CNAME .\nb 2147483648 CNAME .\nc 0 CNAME .\n',
      want: [
        ['a.rpz.example', 4294967295, 'CNAME', ['.']],
        ['b.rpz.example', 2147483648, 'CNAME', ['.']],
        ['c.rpz.example', 0, 'CNAME', ['.']],
      ],
    },
    {
      name: '$ORIGIN relative and absolute; @ follows it',
      zone: '$ORIGIN sub\na CNAME .\n$ORIGIN deeper.rpz.example.\n@ CNAME .\nb CNAME .\n',
      want: [
        ['a.sub.rpz.example', 3600, 'CNAME', ['.']],
        ['deeper.rpz.example', 3600, 'CNAME', ['.']],
        ['b.deeper.rpz.example', 3600, 'CNAME', ['.']],
      ],
    },
    {
      name: 'parentheses spanning lines, comments inside them',
      zone: '@ 300 IN SOA ns. admin. ( ; a comment\n  2024010101 ; serial\n  7200 3600\n  86400 300 ) ; end\nafter CNAME .\n',
      want: [
        ['rpz.example', 300, 'SOA', ['ns.', 'admin.', '2024010101', '7200', '3600', '86400', '300']],
        ['after.rpz.example', 300, 'CNAME', ['.']],
      ],
    },
    {
      name: 'quoted strings keep spaces, ; and escapes verbatim',
      zone: 'a TXT "hello world" "semi;colon" "q\\"uote" "\\065\\\\" "" x\\ y\n',
      want: [['a.rpz.example', 3600, 'TXT', ['hello world', 'semi;colon', 'q\\"uote', '\\065\\\\', '', 'x\\ y']]],
    },
    {
      name: 'escapes in owners: canonical \\DDD for ".", "\\", space and non-printables, plain for the rest',
      zone: 'a\\.b CNAME .\n\\065bc CNAME .\nA\\032B CNAME .\nx\\\\y CNAME .\nd\\046e CNAME .\nq\\"q CNAME .\ncafé CNAME .\n',
      want: [
        ['a\\046b.rpz.example', 3600, 'CNAME', ['.']],
        ['abc.rpz.example', 3600, 'CNAME', ['.']],
        ['a\\032b.rpz.example', 3600, 'CNAME', ['.']],
        ['x\\092y.rpz.example', 3600, 'CNAME', ['.']],
        ['d\\046e.rpz.example', 3600, 'CNAME', ['.']],
        ['q"q.rpz.example', 3600, 'CNAME', ['.']],
        ['caf\\195\\169.rpz.example', 3600, 'CNAME', ['.']],
      ],
    },
    {
      name: 'types: RFC 3597 form, type65 normalised, HTTPS and SVCB as themselves, rdata names left relative',
      zone: 'a TYPE65 \\# 4 0a000001\nb type065 \\# 0\nc HTTPS 1 . alpn=h2\nd svcb 1 web\ne CNAME garden\nf APL\n',
      want: [
        ['a.rpz.example', 3600, 'TYPE65', ['\\#', '4', '0a000001']],
        ['b.rpz.example', 3600, 'TYPE65', ['\\#', '0']],
        ['c.rpz.example', 3600, 'HTTPS', ['1', '.', 'alpn=h2']],
        ['d.rpz.example', 3600, 'SVCB', ['1', 'web']],
        ['e.rpz.example', 3600, 'CNAME', ['garden']],
        ['f.rpz.example', 3600, 'APL', []],
      ],
    },
    {
      name: 'wildcards, absolute owners in the zone, zone origin with a trailing dot',
      zone: '*.a CNAME .\nb.rpz.example. CNAME .\nrpz.example. NS x.\n',
      options: { origin: 'RPZ.Example.' },
      want: [
        ['*.a.rpz.example', 3600, 'CNAME', ['.']],
        ['b.rpz.example', 3600, 'CNAME', ['.']],
        ['rpz.example', 3600, 'NS', ['x.']],
      ],
    },
    {
      name: 'CRLF line ends, a byte-order mark, no newline at the end, blank and comment-only lines',
      zone: '\ufeff; header\r\n\r\n   \r\na CNAME .\r\n  ; indented comment\r\nb CNAME .',
      want: [
        ['a.rpz.example', 3600, 'CNAME', ['.']],
        ['b.rpz.example', 3600, 'CNAME', ['.']],
      ],
    },
    {
      name: 'blank owner repeats the previous owner, across comments and parentheses',
      zone: 'a CNAME .\n; comment\n\tTXT "x"\n (\n  TXT "y" )\nb TXT z\n',
      want: [
        ['a.rpz.example', 3600, 'CNAME', ['.']],
        ['a.rpz.example', 3600, 'TXT', ['x']],
        ['a.rpz.example', 3600, 'TXT', ['y']],
        ['b.rpz.example', 3600, 'TXT', ['z']],
      ],
    },
  ];
  for (const row of rows) {
    const records = await read(row.zone, row.options);
    t.same(records.map(brief), row.want, row.name);
    t.ok(records.every((r) => r.outOfZone === undefined), `${row.name}: all in zone`);
  }
});

t.test('records carry origin, file and the line they start on', async (t) => {
  const records = await read('; c\n$ORIGIN sub\n@ SOA ns. admin. (\n 1 2 3\n 4 5 )\n  NS ns.\n');
  t.same(
    records.map((r) => [r.origin, r.file, r.line]),
    [
      ['sub.rpz.example', 'zone.rpz', 3],
      ['sub.rpz.example', 'zone.rpz', 6],
    ],
  );
});

t.test('owners outside the zone are flagged, not refused', async (t) => {
  const records = await read('in CNAME .\nother.example. CNAME .\n  TXT "still other"\nrpz.example.evil. CNAME .\nxrpz.example. CNAME .\n. NS x.\n$ORIGIN elsewhere.\nrel CNAME .\n');
  t.same(
    records.map((r) => [r.owner, r.outOfZone ?? false]),
    [
      ['in.rpz.example', false],
      ['other.example', true],
      ['other.example', true],
      ['rpz.example.evil', true],
      ['xrpz.example', true],
      ['', true],
      ['rel.elsewhere', true],
    ],
  );
  t.same((await read('. NS x.\nanything. CNAME .\n', { origin: '.' })).map((r) => [r.owner, r.outOfZone ?? false]), [
    ['', false],
    ['anything', false],
  ], 'everything is inside the root zone');
});

t.test('stats count records, lines and files', async (t) => {
  const stats = await readZoneText('$TTL 1\na CNAME .\n\n; x\nb CNAME .', 'z.rpz', { origin: ORIGIN }, () => {});
  t.same(stats, { records: 2, lines: 5, files: ['z.rpz'] });
});

const long63 = 'a'.repeat(63);
const errors: Array<[string, string, string]> = [
  ['unbalanced ")"', 'a CNAME . )\n', 'zone.rpz:1: found ")", expected a "(" before it'],
  ['"(" never closed', 'a CNAME .\n@ SOA ns. admin. ( 1 2\n3 4 5\n', 'zone.rpz:2: found end of file, expected a ")" to close the "(" of this line'],
  ['unterminated quote', 'a TXT "abc\nb CNAME .\n', 'zone.rpz:1: found end of line, expected a closing quote (")'],
  ['unterminated quote at end of file', 'a TXT "abc', 'zone.rpz:1: found end of file, expected a closing quote (")'],
  ['owner and nothing else', 'a CNAME .\nb\n', 'zone.rpz:2: found end of line, expected a class (IN), a TTL or a record type'],
  ['owner, TTL and class, no type', 'a 300 IN\n', 'zone.rpz:1: found end of line, expected a record type'],
  ['unknown class or type', 'a IM CNAME .\n', 'zone.rpz:1: found "IM", expected a class (IN), a TTL or a record type'],
  ['class twice', 'a IN IN CNAME .\n', 'zone.rpz:1: found "IN", expected a TTL or a record type'],
  ['TTL twice', 'a 1 2 CNAME .\n', 'zone.rpz:1: found "2", expected a class (IN) or a record type'],
  ['quoted type', 'a "CNAME" .\n', 'zone.rpz:1: found "CNAME", expected a class (IN), a TTL or a record type'],
  ['class CH', 'a CH TXT "x"\n', 'zone.rpz:1: found "CH", expected class IN (the only class Stopzone reads)'],
  ['class HS', 'a 60 hs TXT "x"\n', 'zone.rpz:1: found "hs", expected class IN (the only class Stopzone reads)'],
  ['class CLASS3', 'a CLASS3 TXT "x"\n', 'zone.rpz:1: found "CLASS3", expected class IN (the only class Stopzone reads)'],
  ['bad TTL', 'a 1x CNAME .\n', 'zone.rpz:1: found "1x", expected a TTL (seconds, or units as in 1h30m) up to 4294967295'],
  ['TTL beyond 2^32-1', 'a 4294967296 CNAME .\n', 'zone.rpz:1: found "4294967296", expected a TTL (seconds, or units as in 1h30m) up to 4294967295'],
  ['bad $TTL', '$TTL soon\n', 'zone.rpz:1: found "soon", expected a TTL (seconds, or units as in 1h30m) up to 4294967295'],
  ['$TTL without value', '$TTL ; none\n', 'zone.rpz:1: found end of line, expected a TTL (seconds, or units as in 1h30m) up to 4294967295'],
  ['$TTL with two values', '$TTL 300 400\n', 'zone.rpz:1: found "400", expected end of line'],
  ['$ORIGIN without name', '$ORIGIN\n', 'zone.rpz:1: found end of line, expected a domain name'],
  ['$GENERATE', '$GENERATE 1-10 host$ CNAME .\n', 'zone.rpz:1: found $GENERATE, expected $ORIGIN, $TTL or $INCLUDE'],
  ['unknown directive', '$include2 x\n', 'zone.rpz:1: found $include2, expected $ORIGIN, $TTL or $INCLUDE'],
  ['$INCLUDE without file', '$INCLUDE\n', 'zone.rpz:1: found end of line, expected a file name'],
  ['$INCLUDE of a missing file', 'a CNAME .\n$INCLUDE no-such-stopzone-file.rpz\n', 'zone.rpz:2: found "no-such-stopzone-file.rpz", expected a file to $INCLUDE (no-such-stopzone-file.rpz: no such file)'],
  ['blank owner before any owner', '  NS localhost.\n', 'zone.rpz:1: found "NS" after leading white space, expected an owner name first (white space repeats the previous owner and there is none)'],
  ['type without rdata', 'a CNAME ; nothing\n', 'zone.rpz:1: found end of line, expected the rdata of the CNAME record'],
  ['short \\DDD escape', 'a\\3 CNAME .\n', 'zone.rpz:1: found "a\\3", expected a \\DDD escape with three digits from 000 to 255'],
  ['\\DDD above 255', 'a\\256 CNAME .\n', 'zone.rpz:1: found "a\\256", expected a \\DDD escape with three digits from 000 to 255'],
  ['backslash at end of line', 'a CNAME x\\\n', 'zone.rpz:1: found "\\" at end of line, expected an escaped character after "\\"'],
  ['empty label', 'a..b CNAME .\n', 'zone.rpz:1: found "a..b", expected a name without empty labels'],
  ['leading dot', '.a CNAME .\n', 'zone.rpz:1: found ".a", expected a name without empty labels'],
  ['label of 64 octets', `${long63}a CNAME .\n`, `zone.rpz:1: found "${long63}a", expected labels of at most 63 octets`],
  ['label of 64 octets with escapes', `${long63}\\065 CNAME .\n`, `zone.rpz:1: found "${long63}\\065", expected labels of at most 63 octets`],
  ['label of 64 octets, absolute', `${long63}a.rpz.example. CNAME .\n`, `zone.rpz:1: found "${long63}a.rpz.example.", expected labels of at most 63 octets`],
  // Tokens over 80 characters are quoted as an excerpt with their length.
  ['name over 255 octets with the origin', `${[long63, long63, long63].join('.')}.${'c'.repeat(50)} CNAME .\n`, `zone.rpz:1: found "${long63}.${'a'.repeat(16)}…" (242 characters), expected a name of at most 255 octets`],
  ['absolute name over 255 octets', `${[long63, long63, long63, long63].join('.')}. CNAME .\n`, `zone.rpz:1: found "${long63}.${'a'.repeat(16)}…" (256 characters), expected a name of at most 255 octets`],
];

t.test('syntax errors name file, line, what was found and what was expected', async (t) => {
  for (const [name, zone, message] of errors) {
    await t.rejects(read(zone, { includes: 'allowed' }), { name: 'ZoneSyntaxError', message }, name);
  }
  const error = await read('a\n').catch((e: unknown) => e);
  t.ok(error instanceof ZoneSyntaxError);
  t.match(error, { file: 'zone.rpz', line: 1, found: 'end of line', expected: 'a class (IN), a TTL or a record type' });
});

t.test('the longest valid names load', async (t) => {
  // 3 x (1 + 63) + (1 + 49) + "rpz.example" (13 octets with the root) = 255 octets; one more "c" is too long (see the errors).
  const rel = `${[long63, long63, long63].join('.')}.${'b'.repeat(49)}`;
  const records = await read(`${rel} CNAME .\n\\${'065'}${rel.slice(1)} CNAME .\n`);
  t.same(records.map((r) => r.owner.length), [253, 253], '255 octets on the wire, plain and escaped');
});

t.test('options are checked before reading', async (t) => {
  await t.rejects(readZoneText('', 'z', { origin: 'a..b' }, () => {}), { name: 'TypeError', message: 'readZone options.origin: found "a..b", expected a name without empty labels' });
  await t.rejects(readZoneText('', 'z', { origin: 'x', defaultTtl: -1 }, () => {}), { message: 'readZone options.defaultTtl: found -1, expected an integer from 0 to 4294967295' });
  await t.rejects(readZoneText('', 'z', { origin: 'x', chunkSize: 0 }, () => {}), { message: 'readZone options.chunkSize: found 0, expected an integer from 1 to 1073741824' });
});

t.test('$INCLUDE', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stopzone-zone-reader-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'sub'));
  const at = (name: string) => join(dir, name);

  t.test('is relative to the including file; origin and owner come back after it', async (t) => {
    await writeFile(at('main.rpz'), '$TTL 300\nfirst CNAME .\n$INCLUDE sub/part.rpz\n  TXT "owner of first"\n$INCLUDE sub/part.rpz other\nlast CNAME .\n');
    await writeFile(at('sub/part.rpz'), '$ORIGIN inner\ninc CNAME .\n$INCLUDE leaf.rpz\n');
    await writeFile(at('sub/leaf.rpz'), '$TTL 60\nleaf CNAME .\n');
    const records: ZoneRecord[] = [];
    const stats = await readZone(at('main.rpz'), { origin: ORIGIN }, (r) => records.push(r));
    t.same(
      records.map((r) => [r.owner, r.ttl, r.origin, r.file, r.line]),
      [
        ['first.rpz.example', 300, 'rpz.example', at('main.rpz'), 2],
        ['inc.inner.rpz.example', 300, 'inner.rpz.example', at('sub/part.rpz'), 2],
        ['leaf.inner.rpz.example', 60, 'inner.rpz.example', at('sub/leaf.rpz'), 2],
        ['first.rpz.example', 60, 'rpz.example', at('main.rpz'), 4],
        ['inc.inner.other.rpz.example', 60, 'inner.other.rpz.example', at('sub/part.rpz'), 2],
        ['leaf.inner.other.rpz.example', 60, 'inner.other.rpz.example', at('sub/leaf.rpz'), 2],
        ['last.rpz.example', 60, 'rpz.example', at('main.rpz'), 6],
      ],
    );
    t.same(stats, { records: 7, lines: 6 + 3 + 2 + 3 + 2, files: [at('main.rpz'), at('sub/part.rpz'), at('sub/leaf.rpz'), at('sub/part.rpz'), at('sub/leaf.rpz')] });
  });

  t.test('a blank owner at the start of an included file has no previous owner', async (t) => {
    await writeFile(at('blank.rpz'), 'a CNAME .\n$INCLUDE blank-inc.rpz\n');
    await writeFile(at('blank-inc.rpz'), '  TXT "x"\n');
    await t.rejects(readZone(at('blank.rpz'), { origin: ORIGIN }, () => {}), {
      message: `${at('blank-inc.rpz')}:1: found "TXT" after leading white space, expected an owner name first (white space repeats the previous owner and there is none)`,
    });
  });

  t.test('a loop is refused', async (t) => {
    await writeFile(at('a.rpz'), 'a CNAME .\n$INCLUDE b.rpz\n');
    await writeFile(at('b.rpz'), 'b CNAME .\n\n$INCLUDE a.rpz\n');
    await t.rejects(readZone(at('a.rpz'), { origin: ORIGIN }, () => {}), {
      name: 'ZoneSyntaxError',
      message: `${at('b.rpz')}:3: found "a.rpz", expected a file that is not already being read (include loop: ${at('a.rpz')} -> ${at('b.rpz')} -> ${at('a.rpz')})`,
    });
    await writeFile(at('self.rpz'), '$INCLUDE ./self.rpz\n');
    await t.rejects(readZone(at('self.rpz'), { origin: ORIGIN }, () => {}), {
      message: `${at('self.rpz')}:1: found "./self.rpz", expected a file that is not already being read (include loop: ${at('self.rpz')} -> ${at('self.rpz')})`,
    });
  });

  t.test('depth is limited, the same file twice in a row is no loop', async (t) => {
    await writeFile(at('d0.rpz'), '$INCLUDE d1.rpz\n');
    await writeFile(at('d1.rpz'), '$INCLUDE d2.rpz\n$INCLUDE d2.rpz\n');
    await writeFile(at('d2.rpz'), 'x CNAME .\n');
    let count = 0;
    await readZone(at('d0.rpz'), { origin: ORIGIN, maxIncludeDepth: 2 }, () => count++);
    t.equal(count, 2);
    await t.rejects(readZone(at('d0.rpz'), { origin: ORIGIN, maxIncludeDepth: 1 }, () => {}), {
      message: `${at('d1.rpz')}:1: found "d2.rpz", expected at most 1 nested $INCLUDE levels`,
    });
  });

  t.test('a missing file is named by its path', async (t) => {
    await writeFile(at('missing.rpz'), 'a CNAME .\n$INCLUDE "sub/gone.rpz"\n');
    await t.rejects(readZone(at('missing.rpz'), { origin: ORIGIN }, () => {}), {
      message: `${at('missing.rpz')}:2: found "sub/gone.rpz", expected a file to $INCLUDE (${at('sub/gone.rpz')}: no such file)`,
    });
  });

  t.test('a missing zone file rejects with the file system error', async (t) => {
    await t.rejects(readZone(at('nope.rpz'), { origin: ORIGIN }, () => {}), { code: 'ENOENT' });
  });
});

t.test('chunk boundaries: every chunk size reads the same records', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stopzone-zone-chunks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lines = ['$TTL 300', '@ SOA ns. admin. ( 1 ; serial', '  2 3 4 5 )', '  NS ns.'];
  for (let i = 0; i < 300; i++) lines.push(i % 50 === 0 ? `r${i} TXT ( "café ; ${i}"\n   "ünïcødé" ) ; c` : `r${i} CNAME .`);
  const text = `${lines.join('\n')}\n`;
  const file = join(dir, 'chunks.rpz');
  await writeFile(file, text);
  const want = await read(text);
  t.equal(want.length, 302);
  t.same(want[52]?.rdata, ['café ; 50', 'ünïcødé']);
  for (const chunkSize of [1, 2, 3, 7, 64, 100, 4096]) {
    const records: ZoneRecord[] = [];
    const stats = await readZone(file, { origin: ORIGIN, chunkSize }, (r) => records.push(r));
    t.same(records.map((r) => [...brief(r), r.line]), want.map((r) => [...brief(r), r.line]), `chunkSize ${chunkSize}`);
    t.equal(stats.lines, text.split('\n').length - 1, `chunkSize ${chunkSize}: lines`);
  }
});

t.test('a record and a parenthesised record straddle 64 KiB chunk boundaries', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stopzone-zone-straddle-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const chunkSize = 65536;
  const comment = (bytes: number) => `;${'x'.repeat(bytes - 2)}\n`;
  // "before" starts 5 bytes before the first boundary; the "(" line ends before the second, the ")" comes after it.
  const text = `${comment(chunkSize - 5)}before CNAME .\n${comment(chunkSize - 30)}after-a TXT ( "one"\n "two" ) ; x\n`;
  t.equal(text.indexOf('before'), chunkSize - 5);
  t.equal(text.indexOf('after-a'), 2 * chunkSize - 20);
  t.ok(text.indexOf('"two"') > 2 * chunkSize);
  const file = join(dir, 'straddle.rpz');
  await writeFile(file, text);
  const records: ZoneRecord[] = [];
  const stats = await readZone(file, { origin: ORIGIN, chunkSize }, (r) => records.push(r));
  t.same(records.map((r) => [...brief(r), r.line]), [
    ['before.rpz.example', 3600, 'CNAME', ['.'], 2],
    ['after-a.rpz.example', 3600, 'TXT', ['one', 'two'], 4],
  ]);
  t.equal(stats.lines, 5);
});
