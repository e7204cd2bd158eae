import { open, rm } from 'node:fs/promises';
import type { Config } from '../config/schema.js';

/** What a feed may make us spend on one download (policy.zones[].download). */
export type DownloadLimits = Config['policy']['zones'][number]['download'];

/** A finished download: the final URL's status and headers, and the body's bytes written to the file. */
export interface DownloadResult {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url` and streams its body into the file `into`, counting bytes as they
 * arrive (after gzip or deflate decoding, which fetch does): past
 * `limits.maxBytes`, or when the whole download outlasts `timeoutSeconds`, or
 * no byte arrives for `stallSeconds`, the connection is closed and the file
 * removed. Follows at most `maxRedirects` redirects, to http: or https: only
 * and never from https: down to http:. Response headers are bounded by
 * undici's 16 KiB. A 304 writes nothing. Rejects with a message naming the
 * URL and the limit; `signal` stops it from outside (shutdown).
 */
export async function download(url: string, into: string, headers: Record<string, string>, limits: DownloadLimits, signal?: AbortSignal): Promise<DownloadResult> {
  const controller = new AbortController();
  let stopped: Error | undefined;
  const stop = (message: string): void => {
    stopped ??= new Error(message);
    controller.abort(stopped);
  };
  const whole = setTimeout(() => stop(`${url}: the download took longer than ${limits.timeoutSeconds} s (download.timeoutSeconds); stopped`), limits.timeoutSeconds * 1000);
  const stall = setTimeout(() => stop(`${url}: nothing arrived for ${limits.stallSeconds} s (download.stallSeconds); stopped`), limits.stallSeconds * 1000);
  const onOuterAbort = (): void => stop(`${url}: the download was stopped (Stopzone is shutting down)`);
  if (signal?.aborted === true) onOuterAbort();
  signal?.addEventListener('abort', onOuterAbort);
  try {
    const response = await follow(url, headers, limits.maxRedirects, controller.signal);
    stall.refresh();
    if (response.status === 304 || !response.ok) {
      await response.body?.cancel();
      if (response.status === 304) return { status: 304, headers: response.headers, bytes: 0 };
      throw new Error(`${url} answered HTTP ${response.status}`);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > limits.maxBytes) {
      await response.body?.cancel();
      throw new Error(`${url} announced ${length} bytes; at most ${limits.maxBytes} are accepted (download.maxBytes)`);
    }
    const bytes = await writeBody(response, into, limits.maxBytes, () => stall.refresh(), (message) => stop(`${url} ${message}`));
    return { status: response.status, headers: response.headers, bytes };
  } catch (error) {
    throw stopped ?? explained(url, error);
  } finally {
    clearTimeout(whole);
    clearTimeout(stall);
    signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Requests `url`, following redirects by hand so that their number and their schemes are bounded. */
async function follow(url: string, headers: Record<string, string>, maxRedirects: number, signal: AbortSignal): Promise<Response> {
  let current = new URL(url);
  for (let hops = 0; ; hops++) {
    const response = await fetch(current, { headers, redirect: 'manual', signal });
    if (!REDIRECTS.has(response.status)) return response;
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (location === null) throw new Error(`${current.href} answered HTTP ${response.status} without a Location`);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`${current.href} redirected to ${next.href}; only http: and https: redirects are followed`);
    if (current.protocol === 'https:' && next.protocol === 'http:') throw new Error(`${current.href} redirected to ${next.href}; a redirect from https: down to http: is refused (anyone on the path could change the list)`);
    if (hops >= maxRedirects) throw new Error(`${url}: more than ${maxRedirects} redirects (download.maxRedirects); the last one to ${next.href}`);
    current = next;
  }
}

/** Writes the body to `into` chunk by chunk; calls `stop` (which aborts the connection) once it passes `maxBytes`. */
async function writeBody(response: Response, into: string, maxBytes: number, onChunk: () => void, stop: (message: string) => void): Promise<number> {
  const file = await open(into, 'w');
  let bytes = 0;
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        onChunk();
        bytes += chunk.byteLength;
        if (bytes > maxBytes) {
          stop(`sent more than ${maxBytes} bytes (download.maxBytes); stopped there`);
          throw new Error('stopped');
        }
        await file.write(chunk);
      }
    }
    await file.sync();
    await file.close();
    return bytes;
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(into, { force: true });
    throw error;
  }
}

/** fetch's "fetch failed" with the cause that says what failed (refused, reset, headers too large). */
function explained(url: string, error: unknown): Error {
  const parts: string[] = [];
  for (let cause: unknown = error; cause instanceof Error && parts.length < 4; cause = cause.cause) parts.push(cause.message);
  return new Error(`${url}: ${parts.join(': ') || String(error)}`);
}
