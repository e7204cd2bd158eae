import { chmod, readFile, rename, writeFile } from 'node:fs/promises';

/** Writes `path` whole or not at all: to a temporary file beside it (with permission bits `mode`, when given), then renamed over it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await writeFile(`${path}.tmp`, data, mode === undefined ? {} : { mode });
  if (mode !== undefined) await chmod(`${path}.tmp`, mode); // the umask narrowed what writeFile set
  await rename(`${path}.tmp`, path);
}

/** The JSON in `path`, or null when it is missing or unreadable (state files: absent means "none yet"). */
export async function readJsonFile<T>(path: string): Promise<T | null> {
  return readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as T,
    () => null,
  );
}
