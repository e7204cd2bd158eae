import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ClientGroup } from '../../model/query.js';
import { addressToBytes } from '../../rpz/ip-prefix.js';
import { ErrorReply, WhyQuery, WhyReply } from '../api-schemas.js';
import type { ConsoleContext } from '../console-context.js';
import { httpError } from '../http-error.js';
import { canonicalName, why } from '../why.js';

/** GET /api/why: what the policy decides now for a name and a client or group, and why; nothing is sent upstream. */
export function whyRoutes(context: ConsoleContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/why', {
      config: { access: 'read' },
      schema: { summary: 'What the policy decides now for a name, and why', querystring: WhyQuery, response: { 200: WhyReply, 400: ErrorReply } },
      handler: async (request) => {
        const query = request.query as { name: string; client?: string; group?: string };
        const name = canonicalName(query.name) ?? httpError(400, `"${query.name}" is no domain name (labels of 1 to 63 characters, 255 in all)`);
        const client = query.client === undefined || query.client === '' ? null : query.client;
        const group = client === null ? byName(context, query.group ?? 'default') : byClient(context, client);
        return why(context.policy.current(), { name, client: client === null ? null : addressToBytes(client), group }, context.now());
      },
    });
  };
}

function byName(context: ConsoleContext, name: string): ClientGroup {
  const groups = context.groups().groups;
  return groups.find((group) => group.name === name) ?? httpError(400, `no client group "${name}"; the groups are ${groups.map((group) => group.name).join(', ')}`);
}

function byClient(context: ConsoleContext, client: string): ClientGroup {
  if (isIP(client) === 0) httpError(400, `"${client}" is no IP address`);
  return context.groups().byAddress(client) ?? httpError(400, `the group of ${client} depends on the DNS listener it asks (groups[].listeners): give group= instead`);
}
