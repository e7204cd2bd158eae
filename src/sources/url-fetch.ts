import { open } from 'node:fs/promises';
import { readJsonFile } from './atomic-file.js';

/** Downloads larger than this are refused (a feed gone wrong must not fill the disk or the memory). */
const MAX_BYTES = 256 * 1024 * 1024;
const TIMEOUT_MS = 60_000;

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
 * streamed to the file and abandoned past MAX_BYTES, whatever the server
 * says its length is. Rejects with the reason.
 */
export async function fetchFeed(url: string, copyPath: string, into: string): Promise<Download> {
  const previous = (await readJsonFile<Validators>(`${copyPath}.meta.json`)) ?? {};
  const headers: Record<string, string> = { 'user-agent': 'stopzone' };
  if (previous.etag !== undefined) headers['if-none-match'] = previous.etag;
  if (previous.lastModified !== undefined) headers['if-modified-since'] = previous.lastModified;
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  if (response.status === 304) return { changed: false, status: 304, bytes: 0 };
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url} answered HTTP ${response.status}`);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) {
    await response.body?.cancel();
    throw new Error(`${url} is ${length} bytes; at most ${MAX_BYTES} are accepted`);
  }
  let bytes = 0;
  const file = await open(into, 'w');
  try {
    for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (bytes > MAX_BYTES) throw new Error(`${url} sent more than ${MAX_BYTES} bytes; at most that many are accepted`);
      await file.write(chunk);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  const validators: Validators = {
    ...(response.headers.get('etag') !== null && { etag: response.headers.get('etag')! }),
    ...(response.headers.get('last-modified') !== null && { lastModified: response.headers.get('last-modified')! }),
  };
  return { changed: true, status: response.status, bytes, meta: JSON.stringify(validators) };
}
