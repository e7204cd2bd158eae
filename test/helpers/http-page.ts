import { request as httpRequest } from 'node:http';
import { assertLoopback } from './loopback-guard.js';

/** An HTTP response as a test reads it. */
export interface PageReply {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/**
 * One HTTP request to `target` ("127.0.0.1:8080", loopback only) with the given headers (Host among them), from the
 * local address `from` when given (127.0.0.2 to look like another client), on a connection of its own.
 */
export function getPage(target: string, path: string, headers: Record<string, string>, options: { method?: string; from?: string } = {}): Promise<PageReply> {
  assertLoopback(target);
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, method: options.method ?? 'GET', headers, agent: false, ...(options.from !== undefined && { localAddress: options.from }) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}
