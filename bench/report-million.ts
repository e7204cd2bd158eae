/**
 * Scenario: `stopzone report` over a 1,000,000-line block log: 48 hours of events from 5 policy zones,
 * about 50,000 distinct names with a Zipf-like skew (s = 1), 2,000 clients (also skewed), and 3 % lines that
 * are not block events (other process log lines, garbage, a truncated line).
 *
 * Hypothesis (the issue's target, 2-core machine): the report takes under 5 s and its memory stays bounded
 * (peak RSS under 150 MiB, whatever the number of distinct names: the top lists are Space-Saving tables of
 * 10,000 keys). Baseline beside it, in the same child-process setup: the naive way, node:readline +
 * JSON.parse on every line + unbounded Maps.
 *
 * The log is written to os.tmpdir() (about 340 MB; with `gzip`, also gzipped) and removed afterwards. The
 * report and the baseline each run in a child process, so their peak RSS (getrusage maxrss) is theirs alone.
 *
 * Run: npx node --import ./test/helpers/ts-resolve.mjs bench/report-million.ts [lines=1000000] [gzip]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { fileSource } from '../src/observe/report/read-lines.js';
import { renderText } from '../src/observe/report/render-text.js';
import { runReport } from '../src/observe/report/run-report.js';
import { prng } from '../test/helpers/prng.js';

const [mode, file] = process.argv.slice(2);
if (mode === '--report' && file !== undefined) await child((sample) => runReport([fileSource(file)], { onProgress: sample }).then((data) => renderText(data)));
else if (mode === '--naive' && file !== undefined) await child(naive);
else await main(Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1_000_000), process.argv.includes('gzip'));

async function main(lines: number, gzip: boolean): Promise<void> {
  const path = join(tmpdir(), `stopzone-report-million-${process.pid}.log`);
  try {
    let start = performance.now();
    await writeLog(path, lines);
    console.log(`wrote ${lines.toLocaleString('en-US')} lines, ${(statSync(path).size / 1_048_576).toFixed(0)} MiB, in ${((performance.now() - start) / 1000).toFixed(1)} s: ${path}`);
    const runs: Array<[string, string, string]> = [['report', '--report', path], ['naive baseline', '--naive', path]];
    if (gzip) {
      start = performance.now();
      await pipeline(createReadStream(path), createGzip({ level: 6 }), createWriteStream(`${path}.gz`));
      console.log(`gzipped to ${(statSync(`${path}.gz`).size / 1_048_576).toFixed(0)} MiB in ${((performance.now() - start) / 1000).toFixed(1)} s`);
      runs.splice(1, 0, ['report, gzip', '--report', `${path}.gz`]);
    }
    for (const [name, flag, input] of runs) {
      const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), flag, input], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr}`);
      const [stats = '', ...output] = run.stdout.split('\n');
      console.log(`\n${name}: ${stats}`);
      if (name === 'report') console.log(output.join('\n'));
    }
  } finally {
    if (process.env.KEEP_LOG === undefined) rmSync(path, { force: true });
    rmSync(`${path}.gz`, { force: true });
  }
}

/**
 * Runs `work` and prints one line of figures, then its output. The RSS is sampled while it runs (`sample`,
 * called every 65,536 lines) and shown above the RSS before it: the TypeScript loader this file runs under
 * holds about 280 MiB of its own, which the process peak (getrusage) would include.
 */
async function child(work: (sample: () => void) => Promise<string>): Promise<void> {
  const mib = (bytes: number): string => `${(bytes / 1_048_576).toFixed(0)} MiB`;
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = (): void => void (peak = Math.max(peak, process.memoryUsage().rss));
  const start = performance.now();
  const output = await work(sample);
  const seconds = (performance.now() - start) / 1000;
  sample();
  console.log(`${seconds.toFixed(2)} s, RSS ${mib(before)} before, peak ${mib(peak)} while running (+${mib(peak - before)}); process peak (getrusage) ${mib(process.resourceUsage().maxRSS * 1024)}`);
  console.log(output);
}

/** The baseline: what one writes first. */
async function naive(sample: () => void): Promise<string> {
  let lines = 0;
  const names = new Map<string, number>();
  const clients = new Map<string, number>();
  let blocked = 0;
  let skipped = 0;
  for await (const line of createInterface({ input: createReadStream(file!), crlfDelay: Infinity })) {
    if ((++lines & 0xffff) === 0) sample();
    let event: { msg?: string; qname?: string; client?: string };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      skipped++;
      continue;
    }
    if (event.msg !== 'blocked' || event.qname === undefined || event.client === undefined) continue;
    blocked++;
    names.set(event.qname, (names.get(event.qname) ?? 0) + 1);
    clients.set(event.client, (clients.get(event.client) ?? 0) + 1);
  }
  const top = [...names].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return `blocked ${blocked}, unparsable ${skipped}, ${names.size} names, ${clients.size} clients, top ${JSON.stringify(top)}`;
}

async function writeLog(path: string, lines: number): Promise<void> {
  const random = prng(20261123);
  const NAMES = 50_000;
  const CLIENTS = 2_000;
  const zones = [
    { zone: 'hagezi.rpz', list: 'ads', share: 0.55, action: 'nxdomain', msg: 'blocked' },
    { zone: 'urlhaus.rpz', list: 'malware', share: 0.12, action: 'stop-page', msg: 'blocked' },
    { zone: 'nsfw.rpz', list: 'adult', share: 0.18, action: 'nxdomain', msg: 'blocked' },
    { zone: 'allow.rpz', list: 'allow', share: 0.07, action: 'passthru', msg: 'passthru' },
    { zone: 'trial.rpz', list: 'trial', share: 0.08, action: 'nodata', msg: 'would block' },
  ] as const;
  const zipf = cdf(NAMES, 1);
  const clientCdf = cdf(CLIENTS, 0.6);
  const tlds = ['com', 'net', 'org', 'io', 'de', 'fr'];
  const name = (i: number): string => `${i % 7 === 0 ? 'www.' : ''}${['ads', 'track', 'cdn', 'metrics', 'pix'][i % 5]}${i}.example${i % 97}.${tlds[i % tlds.length]}`;
  const client = (i: number): string => (i % 10 === 9 ? `2001:db8:${((i >> 8) + 1).toString(16)}::${((i & 255) + 1).toString(16)}` : `10.1.${i >> 8}.${(i & 255) + 1}`);
  const start = Date.parse('2026-11-21T10:00:00.000Z');
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let buffer = '';
  // Traffic follows the day: the hour of the next line comes from a daily curve (quiet at night, busy at 20:00 UTC).
  const hourly = Array.from({ length: 48 }, (_, h) => 0.2 + (1 + Math.cos((((h + 10) % 24) - 20) / 24 * 2 * Math.PI)) / 2);
  const hourCdf = hourly.map(((sum) => (w: number) => (sum += w))(0)).map((c, _, all) => c / all.at(-1)!);
  for (let i = 0; i < lines; i++) {
    const position = i / lines;
    const hour = hourCdf.findIndex((c) => c > position);
    const within = (position - (hourCdf[hour - 1] ?? 0)) / (hourCdf[hour]! - (hourCdf[hour - 1] ?? 0));
    const time = new Date(start + (hour + within) * 3_600_000).toISOString();
    const r = random();
    if (r < 0.03) {
      buffer += r < 0.025 ? `{"level":30,"time":"${time}","name":"stopzone","msg":"upstream 9.9.9.9:53 answered slowly","ms":${Math.floor(random() * 900)}}\n` : r < 0.028 ? 'not json at all\n' : `{"level":30,"time":"${time}","msg":"blocked","cli\n`;
    } else {
      let pick = random();
      const z = zones.find((zone) => (pick -= zone.share) < 0) ?? zones[0];
      const n = name(draw(zipf, random()));
      const c = client(draw(clientCdf, random()));
      const level = z.msg === 'passthru' ? 20 : 30;
      buffer += `{"level":${level},"time":"${time}","msg":"${z.msg}","client":"${c}","qname":"${n}","qtype":"${random() < 0.7 ? 'A' : 'AAAA'}","zone":"${z.zone}","list":"${z.list}","rule":"${n}","trigger":"qname","action":"${z.action}","ede":${z.msg === 'blocked' ? 15 : null},"listener":"0.0.0.0:53","transport":"udp","ref":"${(i * 2654435761 >>> 0).toString(32).toUpperCase().padStart(8, '0').slice(0, 8)}"}\n`;
    }
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(buffer, () => resolve()).once('error', reject));
}

/** Cumulative Zipf weights 1/k^s for k = 1..n. */
function cdf(n: number, s: number): Float64Array {
  const sums = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) sums[k] = total += 1 / (k + 1) ** s;
  for (let k = 0; k < n; k++) sums[k]! /= total;
  return sums;
}

function draw(sums: Float64Array, r: number): number {
  let lo = 0;
  let hi = sums.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sums[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
