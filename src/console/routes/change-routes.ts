import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AuditEntrySchema, AuditQuery, ErrorReply, IdParams, PauseBody, PauseSchema, RuleBody, RuleSchema } from '../api-schemas.js';
import type { ConsoleContext } from '../console-context.js';
import { httpError } from '../http-error.js';
import type { RuleAction } from '../zone-rule-text.js';

/**
 * The changes: allow/block rules (GET, POST, DELETE /api/rules), pauses (GET, POST, DELETE /api/pauses),
 * and the audit log of them (GET /api/audit). Every change needs the admin role and is written to the audit
 * log once it is in force; reading needs a login.
 */
export function changeRoutes(context: ConsoleContext) {
  const audit = (who: string, what: string, detail: string) => context.audit.append({ time: context.now(), who, what, detail });
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/rules', {
      config: { access: 'read' },
      schema: { summary: 'The rules added through the console', response: { 200: Type.Array(RuleSchema) } },
      handler: async () => context.rules.list(),
    });

    app.post('/rules', {
      config: { access: 'admin' },
      schema: { summary: 'Allow or block a name (answers once the zone is reloaded)', body: RuleBody, response: { 200: RuleSchema, 409: ErrorReply, 500: ErrorReply } },
      handler: async (request) => {
        const body = request.body as { name: string; action: RuleAction; reason: string };
        const name = body.name.toLowerCase().replace(/\.$/, '');
        const rule = await context.rules.add({ name, action: body.action, reason: body.reason, who: request.caller!.who });
        await audit(rule.who, 'rule.add', `${rule.action} ${rule.name} in ${rule.zone}${reasonText(rule.reason)}`);
        return rule;
      },
    });

    app.delete('/rules/:id', {
      config: { access: 'admin' },
      schema: { summary: 'Undo a rule added through the console', params: IdParams, response: { 200: RuleSchema, 404: ErrorReply } },
      handler: async (request) => {
        const rule = await context.rules.remove((request.params as { id: string }).id);
        await audit(request.caller!.who, 'rule.remove', `undid ${rule.action} ${rule.name} in ${rule.zone} (added by ${rule.who})`);
        return rule;
      },
    });

    app.get('/pauses', {
      config: { access: 'read' },
      schema: { summary: 'The pauses in force, soonest to end first', response: { 200: Type.Array(PauseSchema) } },
      handler: async () => context.pauses.list(),
    });

    app.post('/pauses', {
      config: { access: 'admin' },
      schema: { summary: 'Pause a zone for a client group for some minutes', body: PauseBody, response: { 200: PauseSchema, 400: ErrorReply, 409: ErrorReply } },
      handler: async (request) => {
        const body = request.body as { zone: string; group: string; minutes: number; reason: string };
        const zones = context.zoneNames();
        if (!zones.includes(body.zone)) httpError(400, `no policy zone "${body.zone}"; the zones are ${zones.join(', ')}`);
        const groups = context.groups().groups.map((group) => group.name);
        if (!groups.includes(body.group)) httpError(400, `no client group "${body.group}"; the groups are ${groups.join(', ')}`);
        const pause = await context.pauses.add({ ...body, who: request.caller!.who }).catch((error: Error) => httpError(409, error.message));
        await audit(pause.who, 'pause.add', `paused ${pause.zone} for ${pause.group} for ${body.minutes} min, until ${new Date(pause.until).toISOString()}${reasonText(pause.reason)}`);
        return pause;
      },
    });

    app.delete('/pauses/:id', {
      config: { access: 'admin' },
      schema: { summary: 'End a pause now', params: IdParams, response: { 200: PauseSchema, 404: ErrorReply } },
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const pause = (await context.pauses.remove(id)) ?? httpError(404, `no pause ${id} in force (GET /api/pauses lists them)`);
        await audit(request.caller!.who, 'pause.remove', `ended the pause of ${pause.zone} for ${pause.group} (made by ${pause.who})`);
        return pause;
      },
    });

    app.get('/audit', {
      config: { access: 'read' },
      schema: { summary: 'The changes made through the console, newest first', querystring: AuditQuery, response: { 200: Type.Array(AuditEntrySchema) } },
      handler: async (request) => context.audit.list((request.query as { limit: number }).limit),
    });
  };
}

function reasonText(reason: string): string {
  return reason === '' ? '' : `: ${reason}`;
}
