/**
 * How a benchmark runs Stopzone: as `npm start` (package.json) does, with its environment settings and node
 * flags, so that the benchmark measures what is shipped (the Dockerfile's ENV and ENTRYPOINT say the same);
 * a separate process, so that its RSS and CPU are its own. Knobs: BENCH_AS_SHIPPED=0 (plain node),
 * BENCH_NODE_FLAGS (extra node flags), BENCH_STOPZONE_ENV (extra environment for Stopzone only, e.g.
 * "MALLOC_ARENA_MAX=2").
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { die, ROOT, startPinned, type Proc } from './processes.js';

const env = process.env;

/** Whitespace-separated words of a knob; none when it is unset. */
export function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((word) => word !== '');
}

/** ["NAME=value", ...] as an environment. */
function assignments(pairs: string[]): Record<string, string> {
  return Object.fromEntries(pairs.filter((pair) => pair.includes('=')).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** The environment and node flags of package.json's start script; none with BENCH_AS_SHIPPED=0. */
function shippedLaunch(): { env: Record<string, string>; flags: string[] } {
  if (env.BENCH_AS_SHIPPED === '0') return { env: {}, flags: [] };
  const start = words((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start);
  const node = start.indexOf('node');
  const script = start.findIndex((word, i) => i > node && !word.startsWith('-'));
  if (node < 0 || script < 0) die(`cannot read how package.json's start script runs node: ${start.join(' ')}`);
  return { env: assignments(start.slice(0, node)), flags: start.slice(node + 1, script) };
}

const SHIPPED = shippedLaunch();
/** Stopzone's node flags and environment: as shipped, plus the BENCH_ knobs. */
export const LAUNCH = { flags: [...SHIPPED.flags, ...words(env.BENCH_NODE_FLAGS)], env: { ...SHIPPED.env, ...assignments(words(env.BENCH_STOPZONE_ENV)) } };

/** How Stopzone was run, for a report: "MALLOC_...=... node --flags dist/cli/main.js serve (as npm start does)". */
export function launchLine(): string {
  const launch = [...Object.entries(LAUNCH.env).map(([name, value]) => `${name}=${value}`), 'node', ...LAUNCH.flags];
  return `${launch.join(' ')} dist/cli/main.js serve${env.BENCH_AS_SHIPPED === '0' ? ' (BENCH_AS_SHIPPED=0)' : ' (as npm start does)'}`;
}

/**
 * Starts `node <flags> <main> serve --config <config>` on `cpu` (null: any), its stdout and stderr to `output` (a file
 * descriptor, this process's, or stdout to a pipe for the caller to read); `main` is this checkout's dist/cli/main.js unless given (a
 * benchmark's baseline may run another checkout's).
 */
export function startStopzoneProcess(options: { name: string; cpu: string | null; config: string; output: 'pipe' | 'inherit' | number; main?: string; cwd?: string }): Proc {
  const main = options.main ?? 'dist/cli/main.js';
  const err = typeof options.output === 'number' ? options.output : 'inherit';
  return startPinned(options.name, options.cpu, process.execPath, [...LAUNCH.flags, main, 'serve', '--config', options.config], { out: options.output, err, env: LAUNCH.env, ...(options.cwd !== undefined && { cwd: options.cwd }) });
}

/** Builds dist/ (npm run build) unless BENCH_SKIP_BUILD=1; exits with the compiler's output when it fails. */
export function buildUnlessSkipped(): void {
  if (env.BENCH_SKIP_BUILD === '1') return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) die(`npm run build failed:\n${build.stdout}${build.stderr}`);
}
