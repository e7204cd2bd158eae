/**
 * The processes a benchmark starts: each pinned to a CPU with taskset (at nice BENCH_NICE, as bench/lib/loopback.sh
 * does for the shell benchmarks), in its own process group, and killed, with the benchmark's temporary
 * directory removed, on exit, failure or Ctrl-C. No child inherits a STOPZONE_* variable: nothing may point
 * Stopzone anywhere but the loopback peers the benchmark starts.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root directory (where package.json and dist/ are). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Every benchmark socket is on this address (or elsewhere in 127.0.0.0/8): loopback only, by design. */
export const ADDR = '127.0.0.1';
const NICE = process.env.BENCH_NICE;

/** A started child process and when it exits. */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

const procs = new Set<Proc>();
const tmpDirs: string[] = [];
const asyncStops: Array<() => Promise<void>> = [];

/** The environment of every child: this one without STOPZONE_* (PATH with /usr/sbin, where nsd and named are). */
export const childEnv: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STOPZONE_'))), PATH: `${process.env.PATH ?? ''}:/usr/sbin` };

process.on('exit', () => {
  for (const proc of procs) killGroup(proc, 'SIGKILL');
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => void Promise.allSettled(asyncStops.map((stop) => stop())).then(() => process.exit(code)));
}

/** A fresh temporary directory, removed when the benchmark exits. */
export function benchTmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

/** Registers the stop of a peer that a test helper started (NSD, the fake upstream), run on Ctrl-C. */
export function stopOnSignal(stop: () => Promise<void>): void {
  asyncStops.push(stop);
}

/** Whether the process is still running. */
export const alive = (proc: Proc): boolean => procs.has(proc);

/** Starts `command` on `cpu` (a taskset list: "0", "1", "0,1"; null: any CPU) in its own process group. */
export function startPinned(name: string, cpu: string | null, command: string, args: string[], stdio: { out?: 'pipe' | 'ignore' | 'inherit' | number; err?: 'pipe' | 'ignore' | 'inherit' | number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
  const niced = NICE === undefined ? [] : ['nice', '-n', NICE];
  const pinned = cpu === null ? [] : ['taskset', '-c', cpu];
  const [file, ...rest] = [...pinned, ...niced, command, ...args] as [string, ...string[]];
  const child = spawn(file, rest, { cwd: stdio.cwd ?? ROOT, detached: true, stdio: ['ignore', stdio.out ?? 'ignore', stdio.err ?? 'ignore'], env: { ...childEnv, ...stdio.env } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc = { name, child, exited };
  procs.add(proc);
  void exited.then(() => procs.delete(proc));
  return proc;
}

/** SIGTERM to the process group; SIGKILL after `graceMs`. */
export async function stopProc(proc: Proc, graceMs = 5000): Promise<void> {
  if (!procs.has(proc) || !killGroup(proc, 'SIGTERM')) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
  const outcome = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    killGroup(proc, 'SIGKILL');
    await proc.exited;
  }
}

function killGroup(proc: Proc, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-proc.child.pid!, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/** Runs a short command on `cpu` with `input` on its stdin; its exit code and output. */
export function runPinned(cpu: string, command: string, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('taskset', ['-c', cpu, command, ...args], { env: childEnv, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

/** Pins this process, and so every child it starts without taskset (the test helpers' peers), to `cpu`. */
export function pinSelf(cpu: string): void {
  spawnSync('taskset', ['-a', '-p', '-c', cpu, String(process.pid)], { stdio: 'ignore' });
}

/** Exits with a message naming the Debian package when `command` is missing. */
export function need(command: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command} || test -x /usr/sbin/${command}`]).status !== 0) die(`${command} not found: install the Debian package ${debianPackage}`);
}

/** Prints `bench: message` and exits 1 (for bad knobs and missing tools, before anything runs). */
export function die(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}
