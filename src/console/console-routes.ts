import { STATUS_CODES } from 'node:http';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ErrorReply } from './api-schemas.js';
import { ApiTokens } from './auth/api-tokens.js';
import { authenticate } from './auth/authenticate.js';
import { Sessions } from './auth/sessions.js';
import type { ConsoleContext } from './console-context.js';
import { servePages } from './pages.js';
import { changeRoutes } from './routes/change-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { whyRoutes } from './routes/why-routes.js';
import { securityHeaders } from './security-headers.js';

/**
 * The console on the admin listener (observe/admin-server.ts `routes`): the JSON API under /api, described
 * by the OpenAPI document at /api/openapi.json, behind the login guard (auth/authenticate.ts); and the pages.
 * Every response gets the security headers; every error is answered as `{ statusCode, error, message }`.
 */
export function consoleRoutes(context: ConsoleContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const open = context.admin.passwordHash === undefined;
    const sessions = new Sessions(context.admin.sessionMinutes, context.now);
    const tokens = new ApiTokens(context.admin.tokens);
    app.decorateRequest('caller', null);
    securityHeaders(app);
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const statusCode = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
      if (statusCode >= 500) request.log.error({ err: error, url: request.url.slice(0, 200) }, 'console request failed');
      return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: error.message });
    });
    await app.register(cookie);
    await app.register(rateLimit, { global: false });
    await app.register(swagger, {
      openapi: {
        info: { title: 'Stopzone console API', version: '1', description: 'The block log, why, allow/block rules with undo, pauses and the audit log (docs/console.md). Log in with POST /api/login and send x-csrf-token with every change, or send Authorization: Bearer <token>.' },
        components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'stopzone-session' }, token: { type: 'http', scheme: 'bearer' } } },
        security: [{ session: [] }, { token: [] }],
      },
    });
    app.addSchema(ErrorReply);
    await app.register(
      async (api) => {
        api.addHook('onRequest', authenticate({ sessions, tokens, open, https: context.https }));
        await api.register(sessionRoutes(context, { sessions, tokens, open }));
        await api.register(eventRoutes(context));
        await api.register(whyRoutes(context));
        await api.register(changeRoutes(context));
        api.get('/openapi.json', { config: { access: 'read' }, schema: { hide: true } }, async () => app.swagger());
      },
      { prefix: '/api' },
    );
    servePages(app, context.files);
  };
}
