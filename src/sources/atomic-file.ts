import { readFile, rename, writeFile } from 'node:fs/promises';

/** Writes `path` whole or not at all: to a temporary file beside it, then renamed over it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

/** The JSON in `path`, or null when it is missing or unreadable (state files: absent means "none yet"). */
export async function readJsonFile<T>(path: string): Promise<T | null> {
  return readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as T,
    () => null,
  );
}
