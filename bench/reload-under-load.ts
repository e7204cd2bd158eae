/**
 * Scenario: a 1,000,000-trigger policy zone is replaced while Stopzone answers a steady load (issue 5).
 *
 *   file  The zone is a watched `file:` zone; a new version (5,000 triggers removed, 5,000 added, serial 2) is
 *         written beside it and renamed over it: full read and compile of 1,000,000 triggers.
 *   ixfr  Stopzone is a secondary of a BIND primary (TSIG) that serves the same zone; it loads it by AXFR at
 *         start-up (timed), then is restarted from its last-good copy for the measured run. Then 10,000 changes
 *         (the same 5,000 removals and 5,000 additions) are made at the primary by nsupdate in 10 messages of
 *         1,000 (an update message must fit in 64 KiB), and one signed NOTIFY makes Stopzone fetch them as one
 *         IXFR (BENCH_NOTIFY=each: BIND notifies after every message instead).
 *
 * Hypothesis (the issue's goal): while dnsperf sends half of the measured capacity, the swap loses no query,
 * the p99 latency of queries sent during the swap is at most twice the steady p99, and 30 s after the swap the
 * resident memory is back within 10 % of the steady level. Baseline: the same run's steady phase before the change.
 *
 * Layout (2 CPUs): Stopzone alone on CPU 1 (`node dist/cli/main.js serve`, a separate process, so its RSS is its
 * own); dnsperf, NSD (the loopback upstream), BIND, nsupdate and this script on CPU 0. Every socket is on
 * 127.0.0.1; Stopzone's only upstream is the local NSD. Every process started here runs in its own process
 * group and is killed on exit, failure or Ctrl-C; the temporary directory is removed.
 *
 * Query mix (each line of dnsperf's input, seeded): 85 % one of 300 fixed names x A/AAAA (cache hits after a
 * warm-up), 10 % names listed in both versions of the zone (policy hits: 60 % exact triggers, 40 % below a
 * wildcard trigger; NXDOMAIN by policy, never cached, one block-log line each), 5 % unique names forwarded
 * to NSD (cache misses; the cache is capped at 10,000 answers and filled first, so that its size, and Stopzone's
 * memory, are steady). dnsperf -v prints each response's latency; this script tails that output and dates
 * every query by its send time (arrival - latency) to split the run into phases.
 *
 * Run: npm run bench:reload   (= node --import ./node_modules/@tapjs/typescript/dist/esm/import.mjs bench/reload-under-load.ts)
 * Needs the Debian packages nsd, bind9, bind9-dnsutils (dig, nsupdate), dnsperf and util-linux (taskset).
 * Knobs (environment): BENCH_SCENARIOS="file ixfr", BENCH_LOAD_SECONDS=65, BENCH_CHANGE_AT=15,
 * BENCH_CAPACITY_SECONDS=10, BENCH_RATE (qps; skips the capacity run), BENCH_LOAD_SHARE=0.5,
 * BENCH_NOTIFY=once|each, BENCH_NODE_FLAGS (extra node flags for Stopzone), BENCH_STOPZONE_ENV (extra environment for
 * Stopzone only, e.g. "MALLOC_ARENA_MAX=2"), BENCH_AS_SHIPPED=0 (plain node, without npm start's flags and
 * environment), BENCH_STOPZONE_YAML (extra config lines), BENCH_SKIP_BUILD=1,
 * BENCH_QUIET_WAIT=60 (seconds to wait, before each measurement, for other processes to leave the CPUs idle),
 * BENCH_SERVER_CPUS=1 (Stopzone's CPUs; "0,1" lets its zone-compile thread use the load generator's spare CPU).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../test/helpers/prng.js';
import { primaryNamedConf } from '../test/helpers/bind-primary.js';

// --- Settings ----------------------------------------------------------------------------------------------
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(ROOT, 'bench', 'out');
const env = process.env;
const SCENARIOS = (env.BENCH_SCENARIOS ?? 'file ixfr').split(/\s+/).filter((s) => s !== '');
const LOAD_SECONDS = Number(env.BENCH_LOAD_SECONDS ?? 65);
const CHANGE_AT = Number(env.BENCH_CHANGE_AT ?? 15);
const CAPACITY_SECONDS = Number(env.BENCH_CAPACITY_SECONDS ?? 10);
const LOAD_SHARE = Number(env.BENCH_LOAD_SHARE ?? 0.5);
const NOTIFY_MODE = env.BENCH_NOTIFY ?? 'once';
const ADDR = '127.0.0.1'; // loopback only, by design
// Stopzone's CPUs (taskset list). BENCH_SERVER_CPUS=0,1 lets it use both (its compile thread then finds CPU time
// beside dnsperf's instead of taking it from the answering thread); the CPU accounting is then only indicative.
const SERVER_CPU = env.BENCH_SERVER_CPUS ?? '1';
const SHARED_CPUS = SERVER_CPU !== '1';
const LOAD_CPU = '0';
const ZONE = 'rpz.bench';
const TRIGGERS = 1_000_000;
const PAIRS = 350_000; // bases listed as exact + wildcard; the rest exact only
const BASES = TRIGGERS - PAIRS; // 650,000
const CHANGED = 5_000; // removed (the last 5,000 exact-only bases) and added (5,000 new bases): 10,000 changes
const STABLE = BASES - CHANGED; // policy hits are drawn from bases 0 .. STABLE-1, listed in both versions
const IXFR_BATCHES = 10;
const FIXED_NAMES = 300;
const CACHE_ENTRIES = 10_000; // Stopzone's cache.maxEntries: filled before the load run (see warmAndRate)
const STEADY_SKIP_S = 3; // the first seconds of a load run are ramp-up, left out of "steady"
const TIMEOUT_S = 5; // dnsperf -t: a query unanswered for this long is lost
const LOAD_AT_START = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const SHIPPED = shippedLaunch();
/** Stopzone's node flags and environment: as shipped, plus the BENCH_ knobs. */
const LAUNCH = { flags: [...SHIPPED.flags, ...words(env.BENCH_NODE_FLAGS)], env: { ...SHIPPED.env, ...assignments(words(env.BENCH_STOPZONE_ENV)) } };
const TLDS = ['com', 'net', 'org', 'info', 'xyz', 'ru', 'de', 'io', 'co.uk', 'com.br'];

for (const scenario of SCENARIOS) if (scenario !== 'file' && scenario !== 'ixfr') die(`unknown scenario "${scenario}" in BENCH_SCENARIOS; expected file and/or ixfr`);
if (NOTIFY_MODE !== 'once' && NOTIFY_MODE !== 'each') die(`BENCH_NOTIFY must be once or each, not "${NOTIFY_MODE}"`);
if (LOAD_SECONDS < CHANGE_AT + 40) console.log(`warning: BENCH_LOAD_SECONDS=${LOAD_SECONDS} leaves less than 40 s after the change: the RSS 30 s after the swap may be missing`);

// --- Processes: every child in its own process group, killed on any exit -----------------------------------
interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}
const procs = new Set<Proc>();
const TMP = mkdtempSync(join(tmpdir(), 'stopzone-reload-bench-'));
let cleaned = false;
function cleanupSync(): void {
  if (cleaned) return;
  cleaned = true;
  for (const proc of procs) {
    try {
      process.kill(-proc.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(TMP, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
// No inherited STOPZONE_* override may point Stopzone anywhere but the loopback NSD.
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('STOPZONE_')));

function start(name: string, cpu: string, command: string, args: string[], stdout: 'pipe' | 'ignore' | number = 'ignore', stderr: 'ignore' | number = 'ignore', extraEnv: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn('taskset', ['-c', cpu, command, ...args], { cwd: ROOT, detached: true, stdio: ['ignore', stdout, stderr], env: { ...childEnv, ...extraEnv } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc = { name, child, exited };
  procs.add(proc);
  void exited.then(() => procs.delete(proc));
  return proc;
}

async function stop(proc: Proc, graceMs = 5000): Promise<void> {
  if (!procs.has(proc)) return;
  try {
    process.kill(-proc.child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
  const outcome = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    try {
      process.kill(-proc.child.pid!, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await proc.exited;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
// Date.now(), as Stopzone's log times are: performance.timeOrigin + performance.now() drifts from it by up to 100+ ms.
const now = (): number => Date.now();

function die(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

function run(command: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('taskset', ['-c', LOAD_CPU, command, ...args], { env: childEnv, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
    child.stdin!.end(input ?? '');
  });
}

function need(command: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command} || test -x /usr/sbin/${command}`]).status !== 0) die(`${command} not found: install the Debian package ${debianPackage}`);
}

/** A port free for UDP and TCP on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, ADDR, () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, ADDR, () => server.close(() => resolve(true)));
    });
    udp.close();
    if (tcpFree) return port;
  }
  throw new Error('no free port on 127.0.0.1');
}

// --- Names and files ----------------------------------------------------------------------------------------
/** Base name i: `site<i>.<tld>`, one in five one label deeper (`cdn.site<i>.<tld>`). */
function base(i: number): string {
  return `${i % 5 === 0 ? 'cdn.' : ''}site${i}.${TLDS[i % TLDS.length]!}`;
}

/** Version 1: bases 0..BASES-1 (the first PAIRS also as wildcards). Version 2: the last CHANGED exact-only bases replaced by CHANGED new ones. */
async function writeZone(path: string, serial: number, version: 1 | 2): Promise<void> {
  const out = createWriteStream(path);
  const write = (text: string): Promise<void> => (out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve())));
  await write(`$TTL 300\n@ SOA localhost. hostmaster.localhost. ${serial} 3600 600 86400 60\n@ NS localhost.\n`);
  let lines: string[] = [];
  const last = version === 1 ? BASES : STABLE;
  for (let i = 0; i < last; i++) {
    lines.push(`${base(i)} CNAME .`);
    if (i < PAIRS) lines.push(`*.${base(i)} CNAME .`);
    if (lines.length >= 50_000) {
      await write(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (version === 2) for (let i = BASES; i < BASES + CHANGED; i++) lines.push(`${base(i)} CNAME .`);
  await write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** `lines` queries: 85 % fixed names (cache hits), 10 % policy hits on stable triggers, 5 % unique misses named `<tag><n>.miss.bench.test`. */
function writeQueries(path: string, lines: number, tag: string, seed: number): void {
  const random = prng(seed);
  const out: string[] = [];
  for (let n = 0; n < lines; n++) {
    const r = random();
    const type = random() < 0.5 ? 'A' : 'AAAA';
    if (r < 0.85) out.push(`host${String(Math.floor(random() * FIXED_NAMES) + 1).padStart(3, '0')}.bench.test ${type}`);
    else if (r < 0.95) out.push(random() < 0.6 ? `${base(Math.floor(random() * STABLE))} ${type}` : `q${n % 100}.${base(Math.floor(random() * PAIRS))} ${type}`);
    else out.push(`${tag}${n}.miss.bench.test ${type}`);
  }
  writeFileSync(path, `${out.join('\n')}\n`);
}

// --- Following Stopzone's log (its stdout, in a file) -------------------------------------------------------
interface LogEvent {
  readonly msg: string;
  readonly time: string;
  readonly level: number;
  readonly [key: string]: unknown;
}

class LogFollower {
  readonly events: LogEvent[] = [];
  readonly #fd: number;
  #offset = 0;
  #rest = '';
  readonly #buffer = Buffer.alloc(1 << 20);

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'r');
  }

  /** Reads what was appended; keeps the process's own lines (block-log lines have no "name"). */
  poll(): void {
    for (;;) {
      const n = readSync(this.#fd, this.#buffer, 0, this.#buffer.length, this.#offset);
      if (n === 0) return;
      this.#offset += n;
      const lines = (this.#rest + this.#buffer.toString('utf8', 0, n)).split('\n');
      this.#rest = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"name":"stopzone"')) continue;
        try {
          this.events.push(JSON.parse(line) as LogEvent);
        } catch {
          // not JSON: ignore
        }
      }
    }
  }

  async waitFor(what: string, test: (event: LogEvent) => boolean, timeoutMs: number, alive: Proc, fromIndex = 0): Promise<LogEvent> {
    const deadline = now() + timeoutMs;
    for (;;) {
      this.poll();
      const found = this.events.slice(fromIndex).find(test);
      if (found !== undefined) return found;
      const failed = this.events.slice(fromIndex).find((e) => e.level >= 50);
      if (failed !== undefined) throw new Error(`Stopzone logged an error while waiting for ${what}: ${JSON.stringify(failed)}`);
      if (!procs.has(alive)) throw new Error(`Stopzone exited while waiting for ${what}; its log:\n${this.tail()}`);
      if (now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s; Stopzone's log:\n${this.tail()}`);
      await sleep(50);
    }
  }

  tail(): string {
    return this.events.slice(-20).map((e) => JSON.stringify(e)).join('\n');
  }

  close(): void {
    closeSync(this.#fd);
  }
}

const eventTime = (event: LogEvent): number => Date.parse(event.time);

// --- A quiet machine ----------------------------------------------------------------------------------------
const QUIET_WAIT_S = Number(env.BENCH_QUIET_WAIT ?? 60);
/** Notes on how busy the machine was, for the report. */
const quietNotes: string[] = [];

/** Waits (at most BENCH_QUIET_WAIT seconds) until both CPUs are at most 15 % busy over 2 s, while nothing of ours runs a load. */
async function waitQuiet(what: string): Promise<void> {
  const started = now();
  let busy = [NaN, NaN];
  do {
    const before = [cpuBusyTicks('0'), cpuBusyTicks('1')];
    await sleep(2000);
    busy = [cpuBusyTicks('0') - before[0]!, cpuBusyTicks('1') - before[1]!].map((ticks) => ticks / 2);
    if (busy.every((b) => b <= 15)) {
      if (now() - started > 2500) console.log(`${what}: the machine was busy; waited ${((now() - started) / 1000).toFixed(0)} s for it to calm down`);
      return;
    }
  } while (now() - started < QUIET_WAIT_S * 1000);
  const note = `${what}: other processes kept the CPUs busy (${busy.map((b) => `${b.toFixed(0)} %`).join(' and ')}) after ${QUIET_WAIT_S} s of waiting: figures disturbed`;
  console.log(`warning: ${note}`);
  quietNotes.push(note);
}

// --- RSS and CPU of Stopzone, every 250 ms ------------------------------------------------------------------
interface Sample {
  readonly t: number;
  readonly rssKiB: number;
  /** utime + stime, in clock ticks (1/100 s). */
  readonly ticks: number;
  /** Busy ticks of Stopzone's CPU, all processes (from /proc/stat): minus `ticks`, what other processes took. */
  readonly cpuBusy: number;
  /**
   * Nanoseconds the answering (main) thread has spent runnable but waiting for the CPU, from its schedstat: what
   * tells a latency spike that another thread's CPU time caused (a scheduling delay) from one the thread caused
   * itself (a GC, a long task) or a lock.
   */
  readonly mainWaitNs: number;
}

/** Busy clock ticks since boot of the CPUs listed ("1", "0,1"). */
function cpuBusyTicks(cpus: string): number {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  let busy = 0;
  for (const cpu of cpus.split(',')) {
    const line = lines.find((l) => l.startsWith(`cpu${cpu} `)) ?? '';
    const [, ...values] = line.trim().split(/\s+/).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    busy += total - (values[3] ?? 0) - (values[4] ?? 0);
  }
  return busy;
}

/** The second field of the main thread's schedstat (time runnable but not running, ns); NaN where the kernel has none. */
function mainThreadWaitNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
}

class Sampler {
  readonly samples: Sample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(readonly pid: number) {
    this.#timer = setInterval(() => this.sample(), 250);
    this.sample();
  }

  sample(): void {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      this.samples.push({
        t: now(),
        rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN),
        ticks: Number(fields[11]) + Number(fields[12]),
        cpuBusy: cpuBusyTicks(SERVER_CPU),
        mainWaitNs: mainThreadWaitNs(this.pid),
      });
    } catch {
      // the process is gone
    }
  }

  hwmKiB(): number {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1] ?? NaN);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.t >= from && s.t < to);
  }

  /** Percent of Stopzone's CPU used by Stopzone and by other processes over [from, to). */
  cpu(from: number, to: number): { self: number; others: number } {
    const ends = this.#ends(from, to);
    if (ends === null || ends.last.t - ends.first.t < 100) return { self: NaN, others: NaN };
    const { first, last } = ends;
    const seconds = (last.t - first.t) / 1000;
    const self = (last.ticks - first.ticks) / seconds;
    return { self, others: Math.max(0, (last.cpuBusy - first.cpuBusy) / seconds - self) };
  }

  /** Milliseconds the answering thread waited for the CPU over [from, to). */
  mainWaitMs(from: number, to: number): number {
    const ends = this.#ends(from, to);
    return ends === null ? NaN : (ends.last.mainWaitNs - ends.first.mainWaitNs) / 1e6;
  }

  /** The first and last samples in [from, to), whose differences the counters above are; null when there are none. */
  #ends(from: number, to: number): { first: Sample; last: Sample } | null {
    const samples = this.between(from, to);
    return samples.length === 0 ? null : { first: samples[0]!, last: samples[samples.length - 1]! };
  }
}

// --- dnsperf ------------------------------------------------------------------------------------------------
/** Every response of a run: when its query was sent (epoch ms, arrival - latency) and its latency (ms). */
class Responses {
  sent = new Float64Array(1 << 20);
  latency = new Float32Array(1 << 20);
  count = 0;
  /** Estimated send times of queries that timed out. */
  readonly timeouts: number[] = [];

  add(sent: number, latencyMs: number): void {
    if (this.count === this.sent.length) {
      const sentBigger = new Float64Array(this.sent.length * 2);
      sentBigger.set(this.sent);
      this.sent = sentBigger;
      const latencyBigger = new Float32Array(this.latency.length * 2);
      latencyBigger.set(this.latency);
      this.latency = latencyBigger;
    }
    this.sent[this.count] = sent;
    this.latency[this.count++] = latencyMs;
  }

  /** Latencies (ms, sorted) of the queries sent in [from, to). */
  window(from: number, to: number): Float32Array {
    const picked: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const t = this.sent[i]!;
      if (t >= from && t < to) picked.push(this.latency[i]!);
    }
    return Float32Array.from(picked).sort();
  }

  lostIn(from: number, to: number): number {
    return this.timeouts.filter((t) => t >= from && t < to).length;
  }
}

interface DnsperfSummary {
  readonly text: string;
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  readonly qps: number;
  readonly rcodes: string;
  readonly started: number;
  readonly ended: number;
}

/**
 * Runs dnsperf on CPU 0 with its output in a file. With `responses`, it is run with -v and the file is read
 * every 20 ms while it runs: each response line is dated by when it was read (dnsperf's stdio buffer and the
 * polling make that up to ~25 ms late). A file, not a pipe: a slow reader can never block dnsperf.
 */
async function dnsperf(label: string, args: string[], responses?: Responses): Promise<DnsperfSummary> {
  const path = join(TMP, `dnsperf-${label}.out`);
  const fd = openSync(path, 'w');
  const started = now();
  const proc = start(`dnsperf ${label}`, LOAD_CPU, 'dnsperf', [...args, ...(responses ? ['-v'] : [])], fd, fd);
  closeSync(fd);
  const other: string[] = [];
  const reader = openSync(path, 'r');
  const buffer = Buffer.alloc(4 << 20);
  let offset = 0;
  let rest = '';
  const drain = (): void => {
    for (;;) {
      const n = readSync(reader, buffer, 0, buffer.length, offset);
      if (n === 0) return;
      offset += n;
      const at = now();
      const lines = (rest + buffer.toString('latin1', 0, n)).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('> ')) {
          if (responses === undefined) continue;
          // "> NOERROR name type 0.000123", or "> T name type" for a query that timed out
          const last = line.lastIndexOf(' ');
          if (line.startsWith('> T ')) responses.timeouts.push(at - TIMEOUT_S * 1000);
          else {
            const latencyMs = Number(line.slice(last + 1)) * 1000;
            responses.add(at - latencyMs, latencyMs);
          }
        } else other.push(line);
      }
    }
  };
  let code: number | null | undefined;
  void proc.exited.then((c) => (code = c));
  while (code === undefined) {
    drain();
    await sleep(20);
  }
  drain();
  closeSync(reader);
  const text = other.join('\n');
  if (code !== 0) throw new Error(`dnsperf ${label} exited with ${code}:\n${text}`);
  const number = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
  return {
    text,
    sent: number(/Queries sent:\s+(\d+)/),
    completed: number(/Queries completed:\s+(\d+)/),
    lost: number(/Queries lost:\s+(\d+)/),
    qps: number(/Queries per second:\s+([\d.]+)/),
    rcodes: /Response codes:\s+(.*)/.exec(text)?.[1]?.trim() ?? '',
    started,
    ended: now(),
  };
}

async function digStatus(port: number, name: string): Promise<string> {
  const result = await run('dig', ['+tries=1', '+time=2', '-p', String(port), `@${ADDR}`, name, 'A']);
  return /status: (\w+)/.exec(result.stdout)?.[1] ?? `no answer (${result.stdout.trim().split('\n').pop() ?? ''})`;
}

// --- NSD: the loopback upstream ---------------------------------------------------------------------------
/** NSD answers bench.test (the fixed names and *.miss) and, through a root wildcard, any other name (blocked names once unlisted). */
async function startNsd(port: number): Promise<Proc> {
  const dir = join(TMP, 'nsd');
  mkdirSync(dir);
  const hosts: string[] = [];
  for (let i = 1; i <= FIXED_NAMES; i++) {
    const label = `host${String(i).padStart(3, '0')}`;
    hosts.push(`${label} IN A 192.0.2.${(i % 250) + 1}`, `${label} IN AAAA 2001:db8::${i.toString(16)}`);
  }
  writeFileSync(
    join(dir, 'bench.test.zone'),
    ['$ORIGIN bench.test.', '$TTL 3600', '@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600', '@ IN NS ns', 'ns IN A 127.0.0.1', ...hosts, '*.miss IN A 192.0.2.254', '*.miss IN AAAA 2001:db8::ffff', ''].join('\n'),
  );
  writeFileSync(join(dir, 'root.zone'), ['$TTL 3600', '. IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 3600', '. IN NS ns.invalid.', '* IN A 192.0.2.200', '* IN AAAA 2001:db8::200', ''].join('\n'));
  writeFileSync(
    join(dir, 'nsd.conf'),
    `server:
  ip-address: ${ADDR}
  port: ${port}
  username: ""
  chroot: ""
  database: ""
  zonesdir: "${dir}"
  pidfile: "${dir}/nsd.pid"
  xfrdfile: "${dir}/xfrd.state"
  zonelistfile: "${dir}/zone.list"
  xfrdir: "${dir}"
  verbosity: 0
  server-count: 1
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "root.zone"
zone:
  name: "bench.test"
  zonefile: "bench.test.zone"
`,
  );
  const log = openSync(join(TMP, 'nsd.log'), 'w');
  const proc = start('nsd', LOAD_CPU, 'nsd', ['-d', '-c', join(dir, 'nsd.conf')], log, log);
  closeSync(log);
  for (let i = 0; i < 100; i++) {
    if (!procs.has(proc)) die(`NSD exited during start-up:\n${readFileSync(join(TMP, 'nsd.log'), 'utf8')}`);
    if ((await digStatus(port, 'host001.bench.test')) === 'NOERROR') return proc;
    await sleep(100);
  }
  die(`NSD did not answer on ${ADDR}:${port}:\n${readFileSync(join(TMP, 'nsd.log'), 'utf8')}`);
}

// --- BIND: the primary of the ixfr scenario ----------------------------------------------------------------
const KEY = { name: 'bench-key', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') } as const;
const keyArg = `${KEY.algorithm}:${KEY.name}:${KEY.secret}`;

async function startBind(port: number, stopzonePort: number): Promise<{ proc: Proc; seconds: number }> {
  const dir = join(TMP, 'bind');
  mkdirSync(dir);
  await writeZone(join(dir, 'policy.zone'), 1, 1);
  // once: BIND sends no NOTIFY; this script sends one (signed, from 127.0.0.1) after all 10 updates. each: BIND
  // notifies Stopzone after every update, as a primary fed by a stream of changes would.
  writeFileSync(
    join(dir, 'named.conf'),
    primaryNamedConf({ dir, port, zone: ZONE, key: KEY, notify: NOTIFY_MODE === 'each' ? [`${ADDR}:${stopzonePort}`] : null }),
  );
  const log = openSync(join(TMP, 'named.log'), 'w');
  const started = now();
  const proc = start('named', LOAD_CPU, 'named', ['-f', '-n', '1', '-c', join(dir, 'named.conf')], log, log);
  closeSync(log);
  for (let i = 0; i < 1200; i++) {
    if (!procs.has(proc)) die(`named exited during start-up:\n${readFileSync(join(TMP, 'named.log'), 'utf8')}`);
    const soa = await run('dig', ['+tries=1', '+time=1', '+short', '-p', String(port), `@${ADDR}`, ZONE, 'SOA']);
    if (/ 1 3600 600 86400 60/.test(soa.stdout)) return { proc, seconds: (now() - started) / 1000 };
    await sleep(100);
  }
  die(`named did not serve ${ZONE} within 120 s:\n${readFileSync(join(TMP, 'named.log'), 'utf8').slice(-4000)}`);
}

/** nsupdate messages of 1,000 changes each: 500 removals, 500 additions (10,000 changes in all). */
function updateScripts(port: number): string[] {
  const per = CHANGED / IXFR_BATCHES;
  return Array.from({ length: IXFR_BATCHES }, (_, b) => {
    const lines = [`server ${ADDR} ${port}`, `zone ${ZONE}`];
    for (let i = 0; i < per; i++) lines.push(`update delete ${base(STABLE + b * per + i)}.${ZONE}. CNAME`);
    for (let i = 0; i < per; i++) lines.push(`update add ${base(BASES + b * per + i)}.${ZONE}. 300 CNAME .`);
    lines.push('send', '');
    return lines.join('\n');
  });
}

// --- Stopzone -----------------------------------------------------------------------------------------------
interface Stopzone {
  readonly proc: Proc;
  readonly port: number;
  readonly admin: string;
  readonly log: LogFollower;
  readonly serving: LogEvent;
  readonly startedAt: number;
}

async function startStopzone(label: string, port: number, upstreamPort: number, zoneYaml: string, logSuffix = ''): Promise<Stopzone> {
  const admin = `${ADDR}:${await freePort()}`;
  const config = join(TMP, `stopzone-${label}.yaml`);
  writeFileSync(
    config,
    `listen: { addresses: ["${ADDR}"], port: ${port} }
upstreams: ["${ADDR}:${upstreamPort}"]
log: { level: info }
stopPage: { enabled: false }
admin: { listen: ["${admin}"] }
state: { dir: "${join(TMP, `state-${label}`)}" }
# Capped and filled before the measurement, so that its memory is steady (see bench/README.md).
cache: { maxEntries: ${CACHE_ENTRIES} }
${zoneYaml}
${env.BENCH_STOPZONE_YAML ?? ''}
`,
  );
  const logPath = join(TMP, `stopzone-${label}${logSuffix}.log`);
  const out = openSync(logPath, 'w');
  const startedAt = now();
  const proc = start(`stopzone ${label}`, SERVER_CPU, process.execPath, [...LAUNCH.flags, 'dist/cli/main.js', 'serve', '--config', config], out, out, LAUNCH.env);
  closeSync(out);
  const log = new LogFollower(logPath);
  const serving = await log.waitFor('"stopzone serving"', (e) => e.msg === 'stopzone serving', 300_000, proc);
  if ((await digStatus(port, 'host001.bench.test')) !== 'NOERROR') throw new Error(`Stopzone on port ${port} does not answer host001.bench.test`);
  return { proc, port, admin, log, serving, startedAt };
}

/**
 * How `npm start` (package.json) runs Stopzone: its environment settings and node flags, so that the bench
 * measures what is shipped (the Dockerfile's ENV and ENTRYPOINT say the same). BENCH_AS_SHIPPED=0: plain node.
 */
function shippedLaunch(): { env: Record<string, string>; flags: string[] } {
  if (env.BENCH_AS_SHIPPED === '0') return { env: {}, flags: [] };
  const start = words((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start);
  const node = start.indexOf('node');
  const script = start.findIndex((word, i) => i > node && !word.startsWith('-'));
  if (node < 0 || script < 0) die(`cannot read how package.json's start script runs node: ${start.join(' ')}`);
  return { env: assignments(start.slice(0, node)), flags: start.slice(node + 1, script) };
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((word) => word !== '');
}

/** ["NAME=value", ...] as an environment. */
function assignments(pairs: string[]): Record<string, string> {
  return Object.fromEntries(pairs.filter((pair) => pair.includes('=')).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** The values of the named metrics (null for one not found), from one scrape of Stopzone's /metrics; all null when it cannot be read. */
async function metrics<Name extends string>(stopzone: Stopzone, names: readonly Name[]): Promise<Record<Name, number | null>> {
  const text = await fetch(`http://${stopzone.admin}/metrics`).then((response) => response.text()).catch(() => '');
  const lines = text.split('\n');
  const value = (name: string): number | null => {
    const line = lines.find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return Object.fromEntries(names.map((name) => [name, value(name)])) as Record<Name, number | null>;
}

/**
 * V8 heap (total, used) and external memory (ArrayBuffers; not the zones' name indexes, which are
 * SharedArrayBuffers V8 does not count), from one scrape of Stopzone's /metrics, in MiB.
 */
async function memoryMetrics(stopzone: Stopzone): Promise<string> {
  const names = ['heap_size_total_bytes', 'heap_size_used_bytes', 'external_memory_bytes'] as const;
  const values = await metrics(stopzone, names.map((name) => `stopzone_process_nodejs_${name}` as const));
  const mib = (name: (typeof names)[number]): string => {
    const value = values[`stopzone_process_nodejs_${name}`];
    return value === null ? '-' : (value / 2 ** 20).toFixed(0);
  };
  return `V8 heap ${mib('heap_size_total_bytes')} MiB (used ${mib('heap_size_used_bytes')}), external ${mib('external_memory_bytes')} MiB`;
}

// --- One measured run ---------------------------------------------------------------------------------------
interface Change {
  /** When Stopzone was told (the rename, or the NOTIFY). */
  readonly at: number;
  /** When the work at the primary began (ixfr: the first nsupdate). */
  readonly primaryFrom?: number;
  readonly note: string;
}

interface Percentiles {
  readonly n: number;
  readonly lost: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

function percentiles(responses: Responses, from: number, to: number): Percentiles {
  const sorted = responses.window(from, to);
  const at = (q: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { n: sorted.length, lost: responses.lostIn(from, to), p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1) };
}

interface Result {
  readonly scenario: string;
  readonly rate: number;
  readonly capacity: number | null;
  readonly summary: DnsperfSummary;
  readonly phases: Array<[string, Percentiles]>;
  readonly steady: Percentiles;
  readonly swap: Percentiles;
  readonly swapMs: number;
  readonly loadMs: number;
  readonly swaps: number;
  readonly transfer: string;
  readonly rssBefore: number;
  readonly rssPeak: number;
  readonly rssAfter: number | null;
  readonly checks: string[];
  readonly extra: string[];
  /** The whole run, second by second (written to bench/out). */
  readonly series: string[];
  /** p99 (ms) of each window as long as the swap window that lies outside it, before then after it: the machine's noise. */
  readonly quietWindows: number[];
}

async function measure(
  scenario: string,
  stopzone: Stopzone,
  rate: number,
  capacity: number | null,
  queries: string,
  expectedSerial: string,
  change: () => Promise<Change>,
  extra: string[],
): Promise<Result> {
  const removed = base(STABLE);
  const added = base(BASES);
  await waitQuiet(`${scenario} load run`);
  const checks = [`before: ${removed} ${await digStatus(stopzone.port, removed)} (listed), ${added} ${await digStatus(stopzone.port, added)} (not yet listed)`];
  // A first scrape costs Stopzone some 10 ms of lazy set-up (later ones about 1 ms): done here, not in the load.
  await memoryMetrics(stopzone);
  const sampler = new Sampler(stopzone.proc.child.pid!);
  const responses = new Responses();
  const firstEvent = stopzone.log.events.length;
  console.log(`${scenario}: dnsperf -Q ${rate} for ${LOAD_SECONDS} s; the change comes at ${CHANGE_AT} s`);
  const perf = dnsperf(`${scenario}-load`, ['-s', ADDR, '-p', String(stopzone.port), '-d', queries, '-n', '1', '-c', '4', '-q', '60000', '-Q', String(rate), '-l', String(LOAD_SECONDS), '-t', String(TIMEOUT_S), '-S', '1'], responses);
  const runStart = now();
  let changed: Change;
  let loaded: LogEvent;
  let memoryBefore = '';
  let memoryAfter: Promise<string> = Promise.resolve('-');
  try {
    await Promise.race([sleep(CHANGE_AT * 1000 - 500), perf]);
    memoryBefore = await memoryMetrics(stopzone);
    await sleep(Math.max(0, runStart + CHANGE_AT * 1000 - now()));
    changed = await change();
    console.log(`${scenario}: ${changed.note}`);
    loaded = await stopzone.log.waitFor(`"policy zone loaded" with serial ${expectedSerial}`, (e) => e.msg === 'policy zone loaded' && e.serial === expectedSerial, 120_000, stopzone.proc, firstEvent);
    console.log(`${scenario}: serial ${expectedSerial} in force ${((eventTime(loaded) - changed.at) / 1000).toFixed(2)} s after the change; load continues`);
    const inForce = eventTime(loaded);
    memoryAfter = sleep(Math.max(0, inForce + 30_000 - now())).then(() => memoryMetrics(stopzone));
  } catch (error) {
    await perf.catch(() => undefined);
    sampler.stop();
    throw error;
  }
  const summary = await perf;
  sampler.stop();
  stopzone.log.poll();
  const hwm = sampler.hwmKiB();
  checks.push(`after:  ${removed} ${await digStatus(stopzone.port, removed)} (removed), ${added} ${await digStatus(stopzone.port, added)} (added)`);

  const loadedAt = eventTime(loaded);
  const swapEnd = loadedAt + 1000;
  const runEnd = summary.ended;
  const steadyFrom = runStart + STEADY_SKIP_S * 1000;
  const swapFrom = changed.at;
  const firstChange = changed.primaryFrom ?? changed.at;
  const phases: Array<[string, Percentiles]> = [['steady, before the change', percentiles(responses, steadyFrom, firstChange)]];
  if (changed.primaryFrom !== undefined && NOTIFY_MODE === 'once') phases.push(['updates at the primary (nsupdate)', percentiles(responses, changed.primaryFrom, changed.at)]);
  phases.push([`swap: ${NOTIFY_MODE === 'each' && changed.primaryFrom !== undefined ? 'first update' : 'change'} to in force + 1 s`, percentiles(responses, swapFrom, swapEnd)]);
  phases.push(['after: in force + 1 s to the end', percentiles(responses, swapEnd, runEnd)]);
  // The same measure without a swap: the p99 of every window as long as the swap window, outside it. How far these
  // stray from the steady p99 tells how much of a swap's ratio this machine's noise alone could make.
  const swapLength = swapEnd - swapFrom;
  const quietWindows: number[] = [];
  for (const [from, to] of [[steadyFrom, firstChange], [swapEnd, runEnd]] as const) {
    for (let t = from; t + swapLength <= to; t += swapLength) quietWindows.push(percentiles(responses, t, t + swapLength).p99);
  }
  const steady = phases[0]![1];
  const swap = phases.find(([name]) => name.startsWith('swap'))![1];

  const rss = (samples: Sample[]): number[] => samples.map((s) => s.rssKiB).filter((v) => Number.isFinite(v));
  const before = rss(sampler.between(firstChange - 5000, firstChange)).sort((a, b) => a - b);
  const rssBefore = before[Math.floor(before.length / 2)] ?? NaN;
  const rssPeak = Math.max(...rss(sampler.between(swapFrom, swapEnd)));
  const rssAt = (seconds: number): number | null => {
    const around = rss(sampler.between(loadedAt + seconds * 1000 - 500, loadedAt + seconds * 1000 + 500));
    return around.length === 0 ? null : around.reduce((a, b) => a + b, 0) / around.length;
  };
  const rssAfter = rssAt(30);
  const rssLater = [5, 10, 20, 30].map((seconds) => `+${seconds} s ${mib(rssAt(seconds))}`).join(', ');
  const loads = stopzone.log.events.slice(firstEvent).filter((e) => e.msg === 'policy zone loaded');
  const transfer = loaded.transfer as { kind: string; bytes: number; ms: number } | undefined;

  // Timeline around the swap, 250 ms steps: responses, p99 and max of the queries sent in the step, RSS, CPU.
  const timeline: string[] = ['  t (s from change)  sent   p99 ms   max ms   lost   RSS MiB   CPU % (Stopzone / others on its CPU)   main thread waited for the CPU (ms)'];
  for (let t = swapFrom - 1000; t < loadedAt + 2500; t += 250) {
    const p = percentiles(responses, t, t + 250);
    const cpu = sampler.cpu(t - 125, t + 375);
    const samples = sampler.between(t - 125, t + 375);
    const mem = samples.length > 0 ? samples[samples.length - 1]!.rssKiB / 1024 : NaN;
    const cpuLine = `${cpu.self.toFixed(0).padStart(7)} / ${cpu.others.toFixed(0)}`;
    timeline.push(
      `  ${((t - changed.at) / 1000).toFixed(2).padStart(8)}  ${String(p.n).padStart(12)} ${ms(p.p99).padStart(8)} ${ms(p.max).padStart(8)} ${String(p.lost).padStart(6)} ${mem.toFixed(0).padStart(9)} ${cpuLine.padEnd(39)} ${ms(sampler.mainWaitMs(t - 125, t + 375))}`,
    );
  }
  const series: string[] = ['t (s from the change)  sent  p50 ms  p99 ms  max ms  lost  RSS MiB  CPU % (Stopzone / others)'];
  for (let t = runStart; t < runEnd; t += 1000) {
    const p = percentiles(responses, t, t + 1000);
    const cpu = sampler.cpu(t, t + 1000);
    const samples = sampler.between(t, t + 1000);
    const mem = samples.length > 0 ? samples[samples.length - 1]!.rssKiB / 1024 : NaN;
    series.push(`${((t - changed.at) / 1000).toFixed(1).padStart(6)} ${String(p.n).padStart(6)} ${ms(p.p50).padStart(7)} ${ms(p.p99).padStart(7)} ${ms(p.max).padStart(7)} ${String(p.lost).padStart(5)} ${mem.toFixed(0).padStart(8)} ${cpu.self.toFixed(0).padStart(5)} / ${cpu.others.toFixed(0)}`);
  }
  const waitPerSecond = (from: number, to: number): string => ms((sampler.mainWaitMs(from, to) * 1000) / (to - from));
  const cpuSteady = sampler.cpu(steadyFrom, firstChange);
  const cpuSwap = sampler.cpu(swapFrom, swapEnd);
  if (!SHARED_CPUS && (cpuSteady.others > 10 || cpuSwap.others > 10)) {
    quietNotes.push(`${scenario}: other processes took ${cpuSteady.others.toFixed(0)} % (steady) and ${cpuSwap.others.toFixed(0)} % (swap) of Stopzone's CPU: figures disturbed`);
  }
  // A pause of the whole virtual machine takes no CPU from Stopzone that /proc/stat shows: dnsperf falls behind its
  // rate, then sends the backlog in one burst (22,000-26,000 queries in a second at 17,000 qps, and 1,190 lost to the
  // full socket buffer, in one run). Seconds sent more than 25 % off the rate mark it.
  const offRate = (from: number, to: number): number => {
    let seconds = 0;
    for (let t = from; t + 1000 <= to; t += 1000) if (Math.abs(percentiles(responses, t, t + 1000).n / rate - 1) > 0.25) seconds++;
    return seconds;
  };
  const [steadyOff, swapOff] = [offRate(steadyFrom, firstChange), offRate(swapFrom, swapEnd)];
  if (steadyOff + swapOff > 0) {
    quietNotes.push(`${scenario}: dnsperf sent more than 25 % off its rate in ${steadyOff} second(s) of the steady phase and ${swapOff} of the swap (the machine paused): figures disturbed`);
  }
  const loadsText = loads.map((e) => `serial ${String(e.serial)} at +${((eventTime(e) - changed.at) / 1000).toFixed(2)} s (${String(e.ms)} ms in Stopzone${e.transfer ? `, ${JSON.stringify(e.transfer)}` : ''})`);
  return {
    scenario,
    rate,
    capacity,
    summary,
    phases,
    steady,
    swap,
    swapMs: loadedAt - changed.at,
    loadMs: Number(loaded.ms),
    swaps: loads.length,
    transfer: transfer === undefined ? 'none (file)' : `${transfer.kind}, ${transfer.bytes} bytes in ${transfer.ms} ms`,
    rssBefore,
    rssPeak,
    rssAfter,
    checks,
    series,
    quietWindows,
    extra: [
      ...extra,
      `CPU ${SERVER_CPU}: Stopzone ${cpuSteady.self.toFixed(0)} % steady, ${cpuSwap.self.toFixed(0)} % during the swap; other processes took ${cpuSteady.others.toFixed(0)} % and ${cpuSwap.others.toFixed(0)} % of it (${SHARED_CPUS ? 'shared with dnsperf' : 'should be ~0: else the machine is busy'})`,
      `answering thread's wait for the CPU: ${waitPerSecond(steadyFrom, firstChange)} ms a second steady, ${waitPerSecond(swapFrom, swapEnd)} ms a second during the swap`,
      `RSS after the swap: ${rssLater}`,
      `memory before the change: ${memoryBefore}; 30 s after the swap: ${await memoryAfter}`,
      `swaps logged: ${loadsText.join('; ')}`, `VmHWM at the end: ${(hwm / 1024).toFixed(0)} MiB`, 'timeline (queries by send time):', ...timeline],
  };
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 0) : '-');
const mib = (kib: number | null): string => (kib === null || !Number.isFinite(kib) ? '-' : `${(kib / 1024).toFixed(0)} MiB`);

// --- Scenarios ----------------------------------------------------------------------------------------------
let capacityMeasured: number | null = env.BENCH_RATE === undefined ? null : Number(env.BENCH_RATE) / LOAD_SHARE;

async function warmAndRate(stopzone: Stopzone, scenario: string): Promise<{ rate: number; capacity: number | null }> {
  const fixed = join(TMP, 'fixed.txt');
  if (!existsSync(fixed)) {
    const lines: string[] = [];
    for (let i = 1; i <= FIXED_NAMES; i++) lines.push(`host${String(i).padStart(3, '0')}.bench.test A`, `host${String(i).padStart(3, '0')}.bench.test AAAA`);
    writeFileSync(fixed, `${lines.join('\n')}\n`);
  }
  await dnsperf(`${scenario}-warm`, ['-s', ADDR, '-p', String(stopzone.port), '-d', fixed, '-n', '1', '-c', '1', '-q', '20', '-l', '10']);
  if (capacityMeasured === null) {
    await waitQuiet(`${scenario} capacity run`);
    const file = join(TMP, 'capacity.txt');
    writeQueries(file, Math.max(CAPACITY_SECONDS, 1) * 150_000, 'c', 1);
    const result = await dnsperf(`${scenario}-capacity`, ['-s', ADDR, '-p', String(stopzone.port), '-d', file, '-n', '1', '-c', '4', '-q', '200', '-l', String(CAPACITY_SECONDS), '-t', '2']);
    if (result.text.includes('end of file')) console.log('warning: the capacity run got through its whole query file: the capacity is higher than measured');
    capacityMeasured = result.qps;
    console.log(`${scenario}: capacity ${result.qps.toFixed(0)} qps (dnsperf -c 4 -q 200 -l ${CAPACITY_SECONDS}, lost ${result.lost}); load at ${LOAD_SHARE} of it`);
  }
  // Fill the cache to its cap with unique names, so that the misses of the load run replace entries instead of
  // adding them (else the cache grows ~0.7 MiB/s at 11,000 qps and the RSS comparison measures the cache).
  const fill = join(TMP, `fill-${scenario}.txt`);
  writeFileSync(fill, `${Array.from({ length: CACHE_ENTRIES * 1.2 }, (_, i) => `f${i}.${scenario}.miss.bench.test A`).join('\n')}\n`);
  await dnsperf(`${scenario}-fill`, ['-s', ADDR, '-p', String(stopzone.port), '-d', fill, '-n', '1', '-c', '1', '-q', '50', '-l', '20']);
  await dnsperf(`${scenario}-warm2`, ['-s', ADDR, '-p', String(stopzone.port), '-d', fixed, '-n', '1', '-c', '1', '-q', '20', '-l', '10']);
  return { rate: Math.round(capacityMeasured * LOAD_SHARE), capacity: env.BENCH_RATE === undefined ? capacityMeasured : null };
}

function loadQueries(scenario: string, rate: number): string {
  const file = join(TMP, `queries-${scenario}.txt`);
  writeQueries(file, Math.ceil(rate * (LOAD_SECONDS + 5) * 1.05), scenario === 'file' ? 'a' : 'b', scenario === 'file' ? 2 : 3);
  return file;
}

async function scenarioFile(nsdPort: number): Promise<Result> {
  const zones = join(TMP, 'zones');
  const staging = join(TMP, 'staging');
  mkdirSync(zones);
  mkdirSync(staging);
  const zoneFile = join(zones, 'bench.rpz');
  await writeZone(zoneFile, 1, 1);
  await writeZone(join(staging, 'bench.rpz'), 2, 2);
  const stopzone = await startStopzone('file', await freePort(), nsdPort, `policy:\n  zones:\n    - { name: ${ZONE}, file: "${zoneFile}" }`);
  try {
    const first = stopzone.log.events.find((e) => e.msg === 'policy zone loaded');
    const startup = `start-up: zone file loaded in ${String(first?.ms)} ms; serving ${((eventTime(stopzone.serving) - stopzone.startedAt) / 1000).toFixed(1)} s after the process started`;
    console.log(`file: ${startup}`);
    const { rate, capacity } = await warmAndRate(stopzone, 'file');
    const queries = loadQueries('file', rate);
    return await measure('file', stopzone, rate, capacity, queries, '2', async () => {
      renameSync(join(staging, 'bench.rpz'), zoneFile);
      return { at: now(), note: 'renamed version 2 (serial 2, 5,000 triggers removed, 5,000 added) over the zone file' };
    }, [startup]);
  } finally {
    await stop(stopzone.proc);
    stopzone.log.close();
  }
}

async function scenarioIxfr(nsdPort: number): Promise<Result> {
  const stopzonePort = await freePort();
  const bindPort = await freePort();
  console.log('ixfr: starting BIND with the 1,000,000-trigger zone');
  const bind = await startBind(bindPort, stopzonePort);
  console.log(`ixfr: BIND serves ${ZONE} serial 1 after ${bind.seconds.toFixed(1)} s`);
  try {
    const zoneYaml = `tsigKeys:\n  - { name: ${KEY.name}, algorithm: ${KEY.algorithm}, secret: "${KEY.secret}" }\npolicy:\n  zones:\n    - { name: ${ZONE}, primaries: ["${ADDR}:${bindPort}"], key: ${KEY.name} }`;
    // First start: no copy in the state directory, so the zone comes by AXFR before Stopzone serves.
    const first = await startStopzone('ixfr', stopzonePort, nsdPort, zoneYaml, '-axfr');
    let axfrLine: string;
    try {
      const axfr = first.log.events.find((e) => e.msg === 'policy zone loaded');
      const t = axfr?.transfer as { kind: string; bytes: number; ms: number } | undefined;
      const rssAfterAxfr = readFileSync(`/proc/${first.proc.child.pid!}/status`, 'utf8');
      const transfer = await metrics(first, ['stopzone_policy_zone_transfer_seconds', 'stopzone_policy_zone_transfer_bytes']);
      axfrLine =
        `start-up: ${t?.kind ?? '?'} of ${ZONE} from BIND: ${((t?.bytes ?? NaN) / 1e6).toFixed(1)} MB in ${((t?.ms ?? NaN) / 1000).toFixed(2)} s (transfer and copy written), ` +
        `in force after ${((Number(axfr?.ms) || NaN) / 1000).toFixed(2)} s (transfer + load); serving ${((eventTime(first.serving) - first.startedAt) / 1000).toFixed(1)} s after the process started; ` +
        `RSS then ${mib(Number(/VmRSS:\s+(\d+)/.exec(rssAfterAxfr)?.[1]))} (peak ${mib(Number(/VmHWM:\s+(\d+)/.exec(rssAfterAxfr)?.[1]))}; ${await memoryMetrics(first)}); ` +
        `/metrics: stopzone_policy_zone_transfer_seconds ${String(transfer.stopzone_policy_zone_transfer_seconds)}, _bytes ${String(transfer.stopzone_policy_zone_transfer_bytes)}`;
      console.log(`ixfr: ${axfrLine}`);
    } finally {
      await stop(first.proc);
      first.log.close();
    }
    // The measured run restarts from the last-good copy (then a SOA check finds it up to date): its steady memory
    // does not depend on whether V8 has yet collected the AXFR's garbage (up to 400 MiB of it, for a while).
    const stopzone = await startStopzone('ixfr', stopzonePort, nsdPort, zoneYaml);
    try {
      const fromCopy = stopzone.log.events.find((e) => e.msg.startsWith('policy zone loaded from its last-good copy'));
      if (fromCopy === undefined) throw new Error(`the restart did not load the last-good copy:\n${stopzone.log.tail()}`);
      console.log('ixfr: restarted from the last-good copy');
      const { rate, capacity } = await warmAndRate(stopzone, 'ixfr');
      const queries = loadQueries('ixfr', rate);
      const updates: string[] = [];
      const result = await measure('ixfr', stopzone, rate, capacity, queries, String(1 + IXFR_BATCHES), async () => {
        const primaryFrom = now();
        for (const script of updateScripts(bindPort)) {
          const begun = now();
          const done = await run('nsupdate', ['-v', '-t', '20', '-y', keyArg], script);
          if (done.code !== 0) throw new Error(`nsupdate failed: ${done.stderr}\n${readFileSync(join(TMP, 'named.log'), 'utf8').slice(-3000)}`);
          updates.push(`${(now() - begun).toFixed(0)}`);
        }
        const updated = now();
        // each: BIND's first NOTIFY follows the first update at once, so the change counts from the first update.
        if (NOTIFY_MODE === 'each') return { at: primaryFrom, primaryFrom, note: `10 nsupdate messages of 1,000 changes applied in ${((updated - primaryFrom) / 1000).toFixed(2)} s; BIND sent a NOTIFY after each` };
        const sent = now();
        const notify = await run('dig', ['+tries=1', '+time=2', '+norec', '+opcode=notify', '-p', String(stopzonePort), `@${ADDR}`, ZONE, 'SOA', '-y', keyArg]);
        if (!/status: NOERROR/.test(notify.stdout)) throw new Error(`the NOTIFY was not accepted:\n${notify.stdout}`);
        return { at: sent, primaryFrom, note: `10 nsupdate messages of 1,000 changes applied in ${((updated - primaryFrom) / 1000).toFixed(2)} s, then one signed NOTIFY` };
      }, [axfrLine, `named start-up with the zone: ${bind.seconds.toFixed(1)} s`]);
      result.extra.splice(2, 0, `nsupdate messages (ms each): ${updates.join(', ')}`);
      return result;
    } finally {
      await stop(stopzone.proc);
      stopzone.log.close();
    }
  } finally {
    await stop(bind.proc, 10_000);
  }
}

// --- Main ---------------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  need('taskset', 'util-linux');
  need('dnsperf', 'dnsperf');
  need('dig', 'bind9-dnsutils');
  need('nsd', 'nsd');
  if (SCENARIOS.includes('ixfr')) {
    need('named', 'bind9');
    need('nsupdate', 'bind9-dnsutils');
  }
  process.env.PATH = `${env.PATH ?? ''}:/usr/sbin`;
  childEnv.PATH = process.env.PATH;
  // This script, dnsperf and the helpers share CPU 0; Stopzone has CPU 1 to itself.
  spawnSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  if (env.BENCH_SKIP_BUILD !== '1') {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) die(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

  const nsdPort = await freePort();
  const nsd = await startNsd(nsdPort);
  console.log(`NSD ready on ${ADDR}:${nsdPort} (CPU ${LOAD_CPU}): bench.test and a root wildcard`);
  const results: Result[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const result = scenario === 'file' ? await scenarioFile(nsdPort) : await scenarioIxfr(nsdPort);
      results.push(result);
      writeFileSync(join(OUT_DIR, `${stamp}-reload-${scenario}-dnsperf.txt`), result.summary.text);
      writeFileSync(join(OUT_DIR, `${stamp}-reload-${scenario}-series.txt`), `${result.series.join('\n')}\n`);
      for (const suffix of ['-axfr', '']) {
        const file = join(TMP, `stopzone-${scenario}${suffix}.log`);
        if (!existsSync(file)) continue;
        // Stopzone's own lines, and any trace that BENCH_NODE_FLAGS asked V8 for (--trace-gc); not the block log.
        const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"name":"stopzone"') || (l !== '' && !l.startsWith('{')));
        writeFileSync(join(OUT_DIR, `${stamp}-reload-${scenario}${suffix}-stopzone.log`), `${lines.join('\n')}\n`);
      }
    }
  } finally {
    await stop(nsd);
  }
  const report = render(results);
  console.log(report);
  writeFileSync(join(OUT_DIR, `${stamp}-reload-summary.txt`), `${report}\n`);
  console.log(`written: bench/out/${stamp}-reload-*`);
}

function render(results: Result[]): string {
  const lines: string[] = ['', `== 1,000,000-trigger zone replaced under load (Stopzone on CPU ${SERVER_CPU}; dnsperf, NSD, BIND on CPU ${LOAD_CPU}) ==`];
  lines.push(`${new Date().toISOString()}, node ${process.version}, load average at the start ${LOAD_AT_START}`);
  lines.push('mix: 85 % cached names, 10 % policy hits (NXDOMAIN), 5 % unique misses to NSD; dnsperf -c 4 -q 60000 -t 5 -Q <rate>');
  const launch = [...Object.entries(LAUNCH.env).map(([name, value]) => `${name}=${value}`), 'node', ...LAUNCH.flags];
  lines.push(`Stopzone runs as: ${launch.join(' ')} dist/cli/main.js serve${env.BENCH_AS_SHIPPED === '0' ? ' (BENCH_AS_SHIPPED=0)' : ' (as npm start does)'}`);
  for (const r of results) {
    const s = r.summary;
    lines.push('', `-- ${r.scenario === 'file' ? 'full reload of a watched zone file' : `IXFR of 10,000 changes from BIND (NOTIFY ${NOTIFY_MODE})`} --`);
    lines.push(`rate ${r.rate} qps (${r.capacity === null ? 'BENCH_RATE' : `${LOAD_SHARE} x capacity ${r.capacity.toFixed(0)} qps`}); sent ${s.sent}, completed ${s.completed}, lost ${s.lost}; ${s.rcodes}`);
    lines.push('  phase (queries by send time)              queries   lost   p50 ms   p99 ms  p99.9 ms   max ms');
    for (const [name, p] of r.phases) {
      lines.push(`  ${name.padEnd(40)} ${String(p.n).padStart(9)} ${String(p.lost).padStart(6)} ${ms(p.p50).padStart(8)} ${ms(p.p99).padStart(8)} ${ms(p.p999).padStart(9)} ${ms(p.max).padStart(8)}`);
    }
    lines.push(`  swap time: ${(r.swapMs / 1000).toFixed(2)} s from the change to the new version in force (${r.loadMs} ms of it in Stopzone's attempt: ${r.transfer}); ${r.swaps} swap(s)`);
    lines.push(`  RSS: before ${mib(r.rssBefore)}, peak during the swap ${mib(r.rssPeak)}, 30 s after ${mib(r.rssAfter)}`);
    for (const check of r.checks) lines.push(`  ${check}`);
    for (const extra of r.extra) lines.push(`  ${extra}`);
    const ratio = r.swap.p99 / r.steady.p99;
    const rssRatio = r.rssAfter === null ? NaN : r.rssAfter / r.rssBefore;
    lines.push(`  goal: nothing lost ............................ ${s.lost === 0 ? 'met' : `NOT met (${s.lost} lost)`}`);
    lines.push(`  goal: p99 during the swap <= 2 x steady p99 ... ${ratio <= 2 ? 'met' : 'NOT met'} (${ms(r.swap.p99)} ms vs ${ms(r.steady.p99)} ms: ${ratio.toFixed(1)} x)`);
    const quiet = r.quietWindows.map((p99) => `${ms(p99)} ms (${(p99 / r.steady.p99).toFixed(1)} x)`).join(', ');
    lines.push(`      windows as long as the swap, without one (before, then after it): p99 ${quiet || 'none fit'}`);
    lines.push(`  goal: RSS 30 s after within 10 % of steady .... ${rssRatio <= 1.1 ? 'met' : 'NOT met'} (${mib(r.rssAfter)} vs ${mib(r.rssBefore)}: ${rssRatio >= 1 ? '+' : ''}${((rssRatio - 1) * 100).toFixed(0)} %)`);
  }
  for (const note of quietNotes) lines.push(`warning: ${note}`);
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
