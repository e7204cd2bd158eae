import type { FastifyInstance } from 'fastify';

/**
 * The Content Security Policy of every admin response: scripts, styles, images and requests from this
 * origin only, no inline script or style, no plugins, no framing, forms posting here only. The pages are
 * plain files with one module script each, so nothing in them needs more.
 */
export const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Characters escaped in JSON bodies: JSON stays the same data, and no `<script>` or `-->` appears in the bytes should anything ever take them for HTML. */
const HTML_SIGNIFICANT = /[<>&\u2028\u2029]/g;
const ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * Adds the security headers to every response of the admin listener (CSP, no MIME sniffing, no referrer, no
 * framing, same-origin only for openers and embedders; no caching of /api answers) and escapes the characters
 * HTML gives meaning to in every JSON body, so a query name holding markup reaches the page as data.
 */
export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.headers({
      'content-security-policy': CONSOLE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
    const type = reply.getHeader('content-type');
    if (typeof payload === 'string' && typeof type === 'string' && type.startsWith('application/json')) return payload.replace(HTML_SIGNIFICANT, (c) => ESCAPES[c]!);
    return payload;
  });
}
