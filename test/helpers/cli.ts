import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.js';
import { assertConfigOnLoopback } from './loopback-guard.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const FETCH_GUARD = fileURLToPath(new URL('./child-fetch-guard.ts', import.meta.url));
/** Commands that send or listen on the network as their config says. */
const NETWORK_COMMANDS = new Set(['serve', 'healthcheck']);

/** A `stopzone` process started from the TypeScript sources with the loader tap uses. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout holds a line matching `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Another way to start stopzone than from the sources: `command` in `cwd`, in its own process group (npx forks). */
export interface CliLauncher {
  readonly command: readonly string[];
  readonly cwd: string;
}

/**
 * Runs `stopzone ARGS...` with `env` added to a minimal environment, from the
 * sources unless `launcher` says otherwise. For `serve` and `healthcheck`, the
 * config (with `env` applied, as the process reads it) must name its
 * upstreams, and they, every listener, primary and feed URL must be on
 * loopback: else this throws before anything starts. A config the loader
 * refuses is let through (the process refuses it too, before it opens a
 * socket). From the sources, the child's fetch is guarded like the test process's.
 */
export function runCli(args: string[], env: Record<string, string> = {}, launcher?: CliLauncher): CliProcess {
  const fullEnv = { PATH: process.env.PATH ?? '', ...testTmpdir(), ...env };
  if (NETWORK_COMMANDS.has(args[0] ?? '') && !args.includes('--help')) guardConfig(args, fullEnv);
  if (launcher === undefined) return runTypeScript(MAIN, args, env);
  const [file, ...before] = launcher.command;
  return watch(spawn(file!, [...before, ...args], { cwd: launcher.cwd, detached: true, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Runs a TypeScript program of the checkout (e.g. docs/examples/*.ts) with this process's Node and loader, its fetch guarded. */
export function runTypeScript(script: string, args: string[], env: Record<string, string> = {}): CliProcess {
  return watch(
    spawn(process.execPath, [...process.execArgv, '--import', FETCH_GUARD, script, ...args], {
      // TAP_TYPE_STRIP_ONLY: the child strips types as tap's own processes do (Node 24), not through ts-node.
      env: { PATH: process.env.PATH ?? '', TAP_TYPE_STRIP_ONLY: process.env.TAP_TYPE_STRIP_ONLY ?? '', ...testTmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * The test process's own temporary directory (test/helpers/own-tmpdir.mjs) for a child started with a minimal
 * environment: the child then works in it, and it goes when the test ends, also when the child is killed.
 */
function testTmpdir(): Record<string, string> {
  const dir = process.env.STOPZONE_TEST_TMPDIR;
  return dir === undefined ? {} : { TMPDIR: dir, STOPZONE_TEST_TMPDIR: dir };
}

/** Collects a child's output and exit for CliProcess. */
function watch(child: ChildProcess): CliProcess {
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const wake of waiters.splice(0)) wake();
    resolve(code);
  }));
  const waitFor = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = out.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) resolve(line);
        else if (child.exitCode !== null) reject(new Error(`exited ${child.exitCode} before ${pattern}: ${err}`));
        else waiters.push(check);
      };
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Throws unless the config `args` name (the embedded defaults without --config) names loopback upstreams and keeps to loopback. */
function guardConfig(args: string[], env: Record<string, string>): void {
  const at = args.indexOf('--config');
  const path = at === -1 ? undefined : args[at + 1];
  const text = path === undefined ? '' : readText(path);
  if (text === null) return; // the process cannot read it either, and stops with exit 78
  let config;
  try {
    config = loadConfig(path, env);
  } catch {
    return; // the process refuses it too, before it opens a socket
  }
  if (!/^\s*upstreams\s*:/m.test(text) && env.STOPZONE_UPSTREAMS === undefined) {
    throw new Error(`test network guard: ${path ?? 'the embedded defaults'} names no upstreams (the default is a public resolver); test configs name loopback upstreams`);
  }
  assertConfigOnLoopback(config);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
