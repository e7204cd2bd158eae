import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorReply, LoginBody, SessionReply } from '../api-schemas.js';
import type { ApiTokens, Role } from '../auth/api-tokens.js';
import { sessionCookieName } from '../auth/authenticate.js';
import { clientKey, LoginGate } from '../auth/login-gate.js';
import { verifyPassword } from '../auth/password-hash.js';
import type { Sessions } from '../auth/sessions.js';
import type { ConsoleContext } from '../console-context.js';

/** What logging in needs beside the context. */
export interface LoginOptions {
  readonly sessions: Sessions;
  readonly tokens: ApiTokens;
  /** No password is set (loopback only): any login succeeds, as "local". */
  readonly open: boolean;
}

/**
 * POST /api/login, POST /api/logout, GET /api/session. A login checks the password against admin.passwordHash
 * (or takes an API token in its place, for the token's role), at most admin.loginAttemptsPerMinute times a
 * minute per client address (IPv6: per /64) and one check at a time (auth/login-gate.ts), and sets the session cookie: HttpOnly (no script reads it), SameSite=Strict (no
 * other site's page sends it), Secure with the __Host- prefix under HTTPS.
 */
export function sessionRoutes(context: ConsoleContext, options: LoginOptions) {
  const cookie = sessionCookieName(context.https);
  const gate = new LoginGate();
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/login', {
      config: { access: 'public', rateLimit: { max: context.admin.loginAttemptsPerMinute, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => clientKey(request.ip) } },
      schema: { summary: 'Log in', body: LoginBody, response: { 204: { type: 'null' }, 401: ErrorReply, 429: ErrorReply } },
      handler: async (request, reply) => {
        const { password } = request.body as { password: string };
        const found = await gate.run(() => loginAs(password, context, options));
        if (found === undefined) return reply.code(429).send({ statusCode: 429, error: 'Too Many Requests', message: 'another login is being checked: try again in a moment' });
        if (found === null) {
          request.log.warn({ client: request.ip }, 'console login refused: wrong password');
          return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'wrong password' });
        }
        const session = options.sessions.open(found.role, found.who);
        await context.audit.append({ time: context.now(), who: found.who, what: 'login', detail: `logged in from ${request.ip} (${found.role})` });
        void reply.setCookie(cookie, session.id, { path: '/', httpOnly: true, sameSite: 'strict', secure: context.https, maxAge: options.sessions.lifetimeSeconds });
        return reply.code(204).send();
      },
    });

    app.post('/logout', {
      config: { access: 'read' },
      schema: { summary: 'Log out (ends the session)', response: { 204: { type: 'null' } } },
      handler: async (request, reply) => {
        const caller = request.caller!;
        if (caller.session !== null) options.sessions.close(caller.session.id);
        await context.audit.append({ time: context.now(), who: caller.who, what: 'logout', detail: `logged out from ${request.ip}` });
        void reply.clearCookie(cookie, { path: '/', httpOnly: true, sameSite: 'strict', secure: context.https });
        return reply.code(204).send();
      },
    });

    app.get('/session', {
      config: { access: 'read' },
      schema: { summary: 'The caller\'s role and CSRF token', response: { 200: SessionReply, 401: ErrorReply } },
      handler: async (request) => {
        const caller = request.caller!;
        return { role: caller.role, csrf: caller.session?.csrf ?? '', who: caller.who };
      },
    });
  };
}

/** Whom `password` logs in as: the admin (the password), a token's holder (a token), "local" (no password set); null when wrong. */
async function loginAs(password: string, context: ConsoleContext, options: LoginOptions): Promise<{ role: Role; who: string } | null> {
  if (options.open) return { role: 'admin', who: 'local' };
  if (await verifyPassword(password, context.admin.passwordHash!)) return { role: 'admin', who: 'admin' };
  const token = options.tokens.find(password);
  return token === null ? null : { role: token.role, who: `token:${token.name}` };
}
