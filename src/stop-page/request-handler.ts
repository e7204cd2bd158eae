import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import { respond, type PageDeps } from './page.js';

/**
 * The HTTP(S) request handler: every method and path gets the page (HEAD
 * without a body), one "stop page shown" line per page view. A request body
 * is never read: a request that announces one (Content-Length or
 * Transfer-Encoding, RFC 9112 section 6.3), whatever its method, gets
 * `Connection: close` and the connection ends after the answer, where
 * keeping it alive would make Node read and discard the whole body first.
 * A page that fails is logged once a minute at most (`lines`), with a count.
 */
export function pageHandler(deps: PageDeps, log: Logger, lines?: RepeatedLines): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    let answer;
    try {
      answer = respond(deps, {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        host: request.headers.host,
        servername: (request.socket as Partial<TLSSocket>).servername || undefined,
        client: request.socket.remoteAddress ?? '',
        acceptLanguage: request.headers['accept-language'],
      });
    } catch (error) {
      if (lines === undefined || lines.admit('stop page failed', 'error')) log.error({ err: error }, 'stop page failed');
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Stop page error\n');
      return;
    }
    if (answer.view !== undefined) log.info({ ...answer.view }, 'stop page shown');
    const contentLength = request.headers['content-length'];
    const hasBody = request.headers['transfer-encoding'] !== undefined || (contentLength !== undefined && contentLength !== '0');
    const body = Buffer.from(answer.body);
    response.writeHead(answer.status, { ...answer.headers, 'content-length': body.length, ...(hasBody && { connection: 'close' }) });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
}
