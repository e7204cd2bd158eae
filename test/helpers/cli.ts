import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

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

/** How the tests start stopzone: this process's Node, its TypeScript loader, the sources. */
const FROM_SOURCES = [process.execPath, ...process.execArgv, MAIN];

/** Another way to start stopzone than from the sources: `command` in `cwd`, in its own process group (npx forks). */
export interface CliLauncher {
  readonly command: readonly string[];
  readonly cwd: string;
}

/** Runs `stopzone ARGS...` with `env` added to a minimal environment, from the sources unless `launcher` says otherwise. */
export function runCli(args: string[], env: Record<string, string> = {}, launcher?: CliLauncher): CliProcess {
  const [file, ...before] = launcher?.command ?? FROM_SOURCES;
  const child = spawn(file!, [...before, ...args], {
    cwd: launcher?.cwd,
    detached: launcher !== undefined,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
