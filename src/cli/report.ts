import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { compileFilter, type ReportFilters } from '../observe/report/filters.js';
import { parseTimeBound } from '../observe/report/parse-time.js';
import { fileSource, type LineSource } from '../observe/report/read-lines.js';
import { renderCsv, renderJson } from '../observe/report/render-json-csv.js';
import { renderText } from '../observe/report/render-text.js';
import { blockLogFiles, rotationExamples } from '../observe/report/rotated-files.js';
import { runReport, type ReportProgress } from '../observe/report/run-report.js';

export const REPORT_HELP = `Usage: stopzone report [options] [FILE...]
       stopzone report [options] --config stopzone.yaml

Summarises block-log files (plain or gzip, told apart by their first bytes;
"-" or no FILE reads stdin). A FILE that does not exist is read as the
block log configured under that name: blockLog.file "blocks.log" is written
as blocks.1.log, blocks.2.log, ... (rotated), and those are read, oldest
first. --config reads the block log a configuration file names. Totals of blocked, would-block (zones in disabled
mode) and passthru events, the lines that were not block events, the time
span, the top blocked names and clients, blocks per zone, client group,
action and trigger, and blocks per hour as a chart of the last 48 hours of
the data.

The top lists hold 10,000 distinct names and clients at most; past that,
their counts are estimates and the output says so. Exit status 0; 1 when a
file could not be read to its end (the report covers what was read); 2 for
a usage error.

Filters (repeat --client, --zone, --name or --group to match any of several):
  --since TIME        events at or after TIME: 24h, 30m, 7d, 2w (before now),
                      a date (2026-11-23) or a time (2026-11-23T08:00); times
                      without an offset are UTC, as in the log
  --until TIME        events before TIME (same forms; a date alone means the
                      end of that day)
  --client ADDR       an address or CIDR prefix (192.0.2.0/24, 2001:db8::/56),
                      or a client exactly as logged (a truncated network or a hash)
  --zone NAME         a policy zone, by zone name or list name
  --name NAME         a name and every name below it (example.com matches
                      ads.example.com)
  --group NAME        a client group (events logged before groups existed
                      count as "default")

Input:
  -c, --config PATH   the block log of this configuration (blockLog.file and
                      its rotations)

Output:
  --format FORMAT     text (default), json, or csv (columns section, key,
                      value, list, overcount: one table for a spreadsheet)
  --top N             entries in the top lists (default 10)
  -h, --help          show this help
`;

const FORMATS = ['text', 'json', 'csv'] as const;

/** What the command reads and writes; tests pass their own. */
export interface ReportIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly now: () => number;
}

const processIo: ReportIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, now: Date.now };

/** `stopzone report ARGS...` (argv after the command name): prints the report, returns the exit status. */
export async function report(argv: string[], io: ReportIo = processIo): Promise<number> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv, io.now());
  } catch (error) {
    io.stderr.write(`stopzone report: ${error instanceof Error ? error.message : String(error)}\n\n${REPORT_HELP}`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(REPORT_HELP);
    return 0;
  }
  let configured: string[] = [];
  try {
    configured = options.config === undefined ? [] : [configuredBlockLog(options.config)];
  } catch (error) {
    io.stderr.write(`stopzone report: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const named = [...options.files, ...configured];
  const files = named.length > 0 ? named : ['-'];
  if (named.length === 0 && io.stdin.isTTY === true) {
    io.stderr.write(`stopzone report: no FILE given and stdin is a terminal\n\n${REPORT_HELP}`);
    return 2;
  }
  let sources: LineSource[];
  let totalBytes: number | undefined;
  try {
    ({ sources, totalBytes } = openSources(files, io));
  } catch (error) {
    io.stderr.write(`stopzone report: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const progress = progressLine(io, totalBytes);
  const data = await runReport(sources, { filters: options.filters, top: options.top, onProgress: progress.update });
  progress.clear();
  const render = { text: () => renderText(data, options.top), json: () => renderJson(data), csv: () => renderCsv(data) }[options.format];
  io.stdout.write(render());
  for (const warning of data.warnings) io.stderr.write(`stopzone report: ${warning}\n`);
  return data.warnings.length > 0 ? 1 : 0;
}

function parse(argv: string[], now: number) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      client: { type: 'string', multiple: true },
      zone: { type: 'string', multiple: true },
      name: { type: 'string', multiple: true },
      group: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      top: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h' },
      config: { type: 'string', short: 'c' },
    },
  });
  const format = FORMATS.find((f) => f === values.format);
  if (format === undefined) throw new Error(`--format "${values.format}": expected text, json or csv`);
  const top = /^\d{1,4}$/.test(values.top) ? Number(values.top) : NaN;
  if (!(top >= 1 && top <= 1000)) throw new Error(`--top "${values.top}": expected a whole number from 1 to 1000`);
  const bound = (name: string, text: string | undefined, endOfDay: boolean): number | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseTimeBound(text, now, endOfDay);
    } catch (error) {
      throw new Error(`--${name} ${(error as Error).message}`);
    }
  };
  const filters: ReportFilters = {
    since: bound('since', values.since, false),
    until: bound('until', values.until, true),
    clients: values.client,
    zones: values.zone,
    names: values.name,
    groups: values.group,
  };
  compileFilter(filters); // a malformed --client fails here, as a usage error, not after opening the files
  return { help: values.help === true, files: positionals, config: values.config, format, top, filters };
}

/** Sources for FILE... ("-" is stdin, once); fails before reading anything when a file is missing. Sums file sizes for the progress line. */
function openSources(files: readonly string[], io: ReportIo): { sources: LineSource[]; totalBytes: number | undefined } {
  let totalBytes: number | undefined = 0;
  if (files.filter((f) => f === '-').length > 1) throw new Error('"-" (stdin) given more than once');
  const sources = files.flatMap(withRotations).map((file): LineSource => {
    if (file === '-') {
      totalBytes = undefined;
      return { name: 'stdin', open: () => io.stdin as AsyncIterable<Buffer> };
    }
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error(`cannot read ${file}: not a file`);
      size = stat.size;
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw code === undefined ? error : new Error(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code}`);
    }
    if (totalBytes !== undefined) totalBytes += size;
    return fileSource(file);
  });
  return { sources, totalBytes };
}

/** A FILE as given, or, when no such file exists, the rotated files of the block log configured under that name. */
function withRotations(file: string): string[] {
  if (file === '-') return [file];
  const found = blockLogFiles(file);
  if (found.length === 0 && !exists(file)) throw new Error(`cannot read ${file}: no such file, and no rotated files ${rotationExamples(file)} beside it`);
  return found.length === 0 ? [file] : found;
}

/** The block-log path a configuration file names (relative to that file), refused when the log is not written to a file. */
function configuredBlockLog(configPath: string): string {
  const { blockLog } = loadConfig(configPath, {});
  if (blockLog.destination === 'stdout') {
    throw new Error(`${configPath}: blockLog.destination is stdout: the events are in the server's output; pipe it in (docker logs stopzone | stopzone report -)`);
  }
  return blockLog.file;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A progress line on a terminal's stderr once the report runs longer than a second, at most 4 times a second; cleared at the end. */
function progressLine(io: ReportIo, totalBytes: number | undefined): { update: (p: ReportProgress) => void; clear: () => void } {
  const start = io.now();
  let shownAt = 0;
  let shown = false;
  return {
    update: (p) => {
      if (io.stderr.isTTY !== true) return;
      const now = io.now();
      if (now - start < 1000 || now - shownAt < 250) return;
      shownAt = now;
      shown = true;
      const mb = (n: number): string => (n / 1_048_576).toFixed(0);
      const share = totalBytes === undefined || totalBytes === 0 ? '' : ` of ${mb(totalBytes)} MiB (${Math.floor((p.bytes / totalBytes) * 100)} %)`;
      io.stderr.write(`\r\x1b[Kreport: ${p.lines.toLocaleString('en-US')} lines, ${mb(p.bytes)} MiB${share}: ${p.source}`);
    },
    clear: () => {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}
