import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from './rng.js';

/**
 * Real feeds as seeds for the zone-text round: the files of the shared
 * corpus (FUZZ_CORPUS, else shared/corpus beside the repository, as CI lays
 * it out). Absent: the round uses its built-in seeds only, and says so.
 */
const CANDIDATES = [process.env.FUZZ_CORPUS, fileURLToPath(new URL('../../../shared/corpus', import.meta.url))];

let loaded: Array<{ name: string; lines: string[] }> | null = null;

/** The corpus files' lines (read once), or an empty list when there is no corpus. */
export function corpusFiles(): ReadonlyArray<{ name: string; lines: string[] }> {
  if (loaded !== null) return loaded;
  const dir = CANDIDATES.find((candidate) => candidate !== undefined && candidate !== '' && existsSync(candidate));
  loaded = [];
  if (dir === undefined) return loaded;
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.md')) continue;
    loaded.push({ name: file, lines: readFileSync(join(dir, file), 'utf8').split('\n') });
  }
  return loaded;
}

/** A run of 5-300 consecutive lines from a random place in a random corpus file, or null without a corpus. */
export function corpusSlice(rng: Rng): string | null {
  const files = corpusFiles();
  if (files.length === 0) return null;
  const { lines } = rng.pick(files);
  const length = rng.range(5, 300);
  const start = rng.chance(0.2) ? 0 : rng.int(Math.max(1, lines.length - length));
  return lines.slice(start, start + length).join('\n');
}
