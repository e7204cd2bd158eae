import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { report, type ReportIo } from '../../src/cli/report.js';
import { runCli } from '../helpers/cli.js';
import { eventLine, SAMPLE } from '../helpers/block-log-sample.js';

const dir = mkdtempSync(join(tmpdir(), 'stopzone-report-cli-'));
const log = join(dir, 'blocks.log');
writeFileSync(log, SAMPLE);

/** The command with stdin, stdout and stderr in memory. */
async function run(argv: string[], stdin: string | Buffer = '', tty = false): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: ReportIo = {
    stdin: Object.assign(Readable.from([Buffer.from(stdin)]), { isTTY: tty }),
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY: tty },
    now: () => Date.parse('2026-11-23T12:00:00Z'),
  };
  const code = await report(argv, io);
  return { code, out, err };
}

t.test('stopzone report FILE: exit 0 and the text report', async (t) => {
  const cli = runCli(['report', log]);
  t.equal(await cli.exited, 0);
  t.match(cli.stdout(), /Top 10 blocked names \(of 6 distinct\)\n\s+5  ads\.example\.com\n/);
  t.match(cli.stdout(), /6 of 22 lines were not block events/);
  t.equal(cli.stderr(), '');
});

t.test('stopzone --help lists report; report --help its options', async (t) => {
  const main = runCli(['--help']);
  t.equal(await main.exited, 0);
  t.match(main.stdout(), /report\s+summarise block-log files/);
  const help = runCli(['report', '--help']);
  t.equal(await help.exited, 0);
  t.match(help.stdout(), /--since TIME[\s\S]*--format FORMAT/);
});

t.test('stdin with "-" mixed with a file, gzip on stdin, options', async (t) => {
  const both = await run(['--format', 'json', log, '-'], SAMPLE);
  t.equal(both.code, 0);
  t.equal((JSON.parse(both.out) as { totals: { blocked: number } }).totals.blocked, 26);
  const gz = await run(['--format', 'csv', '--zone', 'malware', '--since', '24h'], gzipSync(SAMPLE));
  t.equal(gz.code, 0, gz.err);
  t.match(gz.out, /\r\ntotals,blocked,3\r\n/);
  const top = await run(['--top', '1', '--name', 'example.com', log]);
  t.match(top.out, /Top 1 blocked names \(of 2 distinct\)\n\s+5  ads\.example\.com\n\n/);
  t.match(top.out, /5 events were outside the filters/);
});

t.test('--group NAME keeps the events of that client group', async (t) => {
  const grouped = join(dir, 'grouped.log');
  writeFileSync(grouped, [eventLine({ group: 'students', qname: 'games.example' }), eventLine({ group: 'staff' }), eventLine({})].join('\n'));
  const cli = runCli(['report', '--group', 'students', grouped]);
  t.equal(await cli.exited, 0, cli.stderr());
  t.match(cli.stdout(), /Top 10 blocked names \(of 1 distinct\)\n\s+1  games\.example\n/);
  t.match(cli.stdout(), /Blocks per group\n  group\s+blocked\n  students\s+1\n\n/);
  t.match(cli.stdout(), /2 events were outside the filters/);
});

t.test('usage errors exit 2 and name the problem; an input that fails exits 1 after the report', async (t) => {
  const rows: Array<[string[], RegExp]> = [
    [['--format', 'xml', log], /--format "xml": expected text, json or csv/],
    [['--top', '0', log], /--top "0": expected a whole number from 1 to 1000/],
    [['--since', 'last week', log], /--since "last week" is not a time/],
    [['--bogus', log], /Unknown option '--bogus'/],
    [[join(dir, 'nope.log')], /cannot read .*nope\.log: no such file/],
    [['-', '-'], /"-" \(stdin\) given more than once/],
    [['--client', '10.0.0.0/99', log], /--client "10\.0\.0\.0\/99" is not a CIDR prefix/],
  ];
  for (const [argv, message] of rows) {
    const result = await run(argv);
    t.equal(result.code, 2, argv.join(' '));
    t.match(result.err, message, argv.join(' '));
  }
  const tty = await run([], '', true);
  t.equal(tty.code, 2);
  t.match(tty.err, /no FILE given and stdin is a terminal/);
  const truncated = join(dir, 'truncated.log');
  const whole = gzipSync(SAMPLE.repeat(20));
  writeFileSync(truncated, whole.subarray(0, whole.length - 50));
  const partial = await run([truncated, log]);
  t.equal(partial.code, 1);
  t.match(partial.out, /Top 10 blocked names/);
  t.match(partial.err, /truncated\.log: gzip data ends early/);
});
