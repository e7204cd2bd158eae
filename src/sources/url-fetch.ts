import { rename, rm } from 'node:fs/promises';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';
import { download, type DownloadLimits } from './url-download.js';

/** What the last download said, kept beside the copy for conditional requests. */
interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

/**
 * A new download, not yet the last-good copy: it is loaded from `path` first,
 * and becomes the copy (with its ETag) only once it has loaded, so that a
 * restart never starts from a list that did not load.
 */
export interface StagedDownload {
  readonly path: string;
  /** Renames it over the copy and keeps its validators for the next conditional request. */
  commit(): Promise<void>;
  /** Removes it (it did not load). */
  discard(): Promise<void>;
}

/** A fetch's outcome: not modified (HTTP 304), or a new body staged beside the copy. */
export type Fetched = { readonly changed: false; readonly status: 304; readonly bytes: 0 } | { readonly changed: true; readonly status: number; readonly bytes: number; readonly staged: StagedDownload };

/**
 * Fetches `url` for the copy at `copyPath`, with If-None-Match /
 * If-Modified-Since from the last download that loaded (an unchanged list
 * costs one small request), within `limits` (url-download.ts). The body goes
 * to a file beside the copy; the copy itself is untouched until the caller
 * commits. Rejects with the reason.
 */
export async function fetchToCopy(url: string, copyPath: string, limits: DownloadLimits, signal?: AbortSignal): Promise<Fetched> {
  const metaPath = `${copyPath}.meta.json`;
  const previous = (await readJsonFile<Validators>(metaPath)) ?? {};
  const headers: Record<string, string> = { 'user-agent': 'stopzone' };
  if (previous.etag !== undefined) headers['if-none-match'] = previous.etag;
  if (previous.lastModified !== undefined) headers['if-modified-since'] = previous.lastModified;
  const path = `${copyPath}.download`;
  const result = await download(url, path, headers, limits, signal);
  if (result.status === 304) return { changed: false, status: 304, bytes: 0 };
  const validators: Validators = {
    ...(result.headers.get('etag') !== null && { etag: result.headers.get('etag')! }),
    ...(result.headers.get('last-modified') !== null && { lastModified: result.headers.get('last-modified')! }),
  };
  const staged: StagedDownload = {
    path,
    async commit() {
      await rename(path, copyPath);
      await writeFileAtomic(metaPath, JSON.stringify(validators));
    },
    discard: () => rm(path, { force: true }),
  };
  return { changed: true, status: result.status, bytes: result.bytes, staged };
}
