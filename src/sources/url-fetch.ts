import { readJsonFile } from './atomic-file.js';
import { download, type DownloadLimits } from './url-download.js';

/** What the last download said, kept beside the copy for conditional requests. */
interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

/** A download: whether the feed changed, and when it did, the bytes written to `into` and the validators to keep with them. */
export interface Download {
  readonly changed: boolean;
  readonly status: number;
  readonly bytes: number;
  /** JSON for `${copy}.meta.json`, to be written when the download has loaded and replaced the copy. */
  readonly meta?: string;
}

/**
 * Fetches `url` into `into` with If-None-Match / If-Modified-Since from the
 * validators kept beside `copyPath` (the last version that loaded): an
 * unchanged list costs one small request and writes nothing. The body is
 * streamed to the file within `limits` (bytes counted as they arrive, time,
 * stalls, redirects: url-download.ts). Rejects with the reason; `signal`
 * stops it (shutdown).
 */
export async function fetchFeed(url: string, copyPath: string, into: string, limits: DownloadLimits, signal?: AbortSignal): Promise<Download> {
  const previous = (await readJsonFile<Validators>(`${copyPath}.meta.json`)) ?? {};
  const headers: Record<string, string> = { 'user-agent': 'stopzone' };
  if (previous.etag !== undefined) headers['if-none-match'] = previous.etag;
  if (previous.lastModified !== undefined) headers['if-modified-since'] = previous.lastModified;
  const result = await download(url, into, headers, limits, signal);
  if (result.status === 304) return { changed: false, status: 304, bytes: 0 };
  const validators: Validators = {
    ...(result.headers.get('etag') !== null && { etag: result.headers.get('etag')! }),
    ...(result.headers.get('last-modified') !== null && { lastModified: result.headers.get('last-modified')! }),
  };
  return { changed: true, status: result.status, bytes: result.bytes, meta: JSON.stringify(validators) };
}
