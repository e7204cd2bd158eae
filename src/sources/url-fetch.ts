import { readJsonFile, writeFileAtomic } from './atomic-file.js';

/** Downloads larger than this are refused (a feed gone wrong must not fill the disk or the memory). */
const MAX_BYTES = 256 * 1024 * 1024;
const TIMEOUT_MS = 60_000;

/** What the last download said, kept beside the copy for conditional requests. */
interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

/**
 * Fetches `url` into `copyPath` (written to a temporary file, then renamed, so
 * the copy is always whole) with If-None-Match / If-Modified-Since from the
 * previous download: an unchanged list costs one small request. Resolves to
 * whether the copy changed and the bytes received; rejects with the reason otherwise.
 */
export async function fetchToCopy(url: string, copyPath: string): Promise<{ changed: boolean; status: number; bytes: number }> {
  const metaPath = `${copyPath}.meta.json`;
  const previous = (await readJsonFile<Validators>(metaPath)) ?? {};
  const headers: Record<string, string> = { 'user-agent': 'stopzone' };
  if (previous.etag !== undefined) headers['if-none-match'] = previous.etag;
  if (previous.lastModified !== undefined) headers['if-modified-since'] = previous.lastModified;
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  if (response.status === 304) return { changed: false, status: 304, bytes: 0 };
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) throw new Error(`${url} is ${length} bytes; at most ${MAX_BYTES} are accepted`);
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_BYTES) throw new Error(`${url} sent more than ${MAX_BYTES} bytes`);
  await writeFileAtomic(copyPath, body);
  const validators: Validators = {
    ...(response.headers.get('etag') !== null && { etag: response.headers.get('etag')! }),
    ...(response.headers.get('last-modified') !== null && { lastModified: response.headers.get('last-modified')! }),
  };
  await writeFileAtomic(metaPath, JSON.stringify(validators));
  return { changed: true, status: response.status, bytes: body.length };
}
