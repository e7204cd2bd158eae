import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiTokens, type Role } from './api-tokens.js';
import type { Session, Sessions } from './sessions.js';

/** Who is asking: their role, the name the audit log gives them, and their session when they came with a cookie. */
export interface Caller {
  readonly role: Role;
  readonly who: string;
  readonly session: Session | null;
}

/** What a route asks of its caller (route config `access`): nothing (login), to be logged in (read), or the admin role. */
export type Access = 'public' | 'read' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** Names the session cookie: with HTTPS the __Host- prefix, which browsers accept only from a secure origin, for the whole host, with no Domain. */
export function sessionCookieName(https: boolean): string {
  return https ? '__Host-stopzone-session' : 'stopzone-session';
}

/** A Host header a console without a password answers to: a loopback address or localhost, any port. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|\[::ffff:127(\.\d{1,3}){3}\])(:\d{1,5})?$/i;

/** A refusal: the status and message the API answers with. */
function refuse(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).header('cache-control', 'no-store').send({ statusCode, error: statusCode === 401 ? 'Unauthorized' : 'Forbidden', message });
}

/**
 * The /api guard, run before each request's body is read: finds the caller from `Authorization: Bearer
 * <token>` or the session cookie, then refuses (401) a route that needs a login without one, (403) a
 * change asked with the read role, and (403) a change asked with a session but without its CSRF token in
 * x-csrf-token: a page of another site can make the browser send the cookie, never read the token. Bearer
 * tokens need no CSRF token, since no browser sends them by itself. Without a password (loopback only), the
 * console answers only requests whose Host is a loopback address or localhost, so that a page of another site
 * cannot reach it through DNS rebinding.
 */
export function authenticate(options: { sessions: Sessions; tokens: ApiTokens; open: boolean; https: boolean }) {
  const cookie = sessionCookieName(options.https);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (options.open && !LOOPBACK_HOST.test(request.headers.host ?? '')) {
      return void refuse(reply, 403, 'this console has no password (admin.passwordHash), so it answers only at a loopback address or localhost');
    }
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
      const found = token === undefined ? null : options.tokens.find(token);
      if (found === null) return void refuse(reply, 401, 'the Authorization header holds no valid API token (expected "Bearer <token>")');
      request.caller = { role: found.role, who: `token:${found.name}`, session: null };
    } else {
      const session = options.sessions.find(request.cookies[cookie]);
      request.caller = session === null ? null : { role: session.role, who: session.who, session };
    }
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const caller = request.caller;
    if (caller === null) return void refuse(reply, 401, 'log in first (POST /api/login), or send an API token');
    const change = request.method !== 'GET' && request.method !== 'HEAD';
    if (change && caller.session !== null && !sameToken(request.headers['x-csrf-token'], caller.session.csrf)) {
      return void refuse(reply, 403, 'missing or wrong x-csrf-token: send the csrf of GET /api/session with every change');
    }
    if (access === 'admin' && caller.role !== 'admin') return void refuse(reply, 403, `the ${caller.role} role may look but not change anything`);
  };
}

function sameToken(sent: string | string[] | undefined, want: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}
