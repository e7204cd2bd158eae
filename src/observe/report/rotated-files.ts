import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * The files holding a block log configured as `path`, oldest first: `path`
 * itself when it is a file, else the rotations pino-roll writes in its place
 * (blocks.log is written as blocks.1.log, blocks.2.log, ...; a name without an
 * extension gets ".log"), gzipped ones (blocks.3.log.gz) included, in the
 * order of their numbers. Empty when there are none.
 */
export function blockLogFiles(path: string): string[] {
  if (isFile(path)) return [path];
  const { dir, stem, extension } = rotationName(path);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${escape(stem)}\\.(\\d+)${escape(extension)}(\\.gz)?$`);
  return entries
    .map((entry) => ({ entry, number: Number(pattern.exec(entry)?.[1] ?? NaN) }))
    .filter(({ entry, number }) => Number.isInteger(number) && isFile(join(dir, entry)))
    .sort((a, b) => a.number - b.number)
    .map(({ entry }) => join(dir, entry));
}

/** How the rotations of `path` are named, for messages: "blocks.1.log, blocks.2.log, ...". */
export function rotationExamples(path: string): string {
  const { stem, extension } = rotationName(path);
  return `${stem}.1${extension}, ${stem}.2${extension}, ...`;
}

function rotationName(path: string): { dir: string; stem: string; extension: string } {
  const extension = extname(path);
  return { dir: dirname(path), stem: basename(path, extension), extension: extension === '' ? '.log' : extension };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
