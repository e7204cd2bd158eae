import { Type } from '@sinclair/typebox';

/**
 * The JSON schemas of the console API, written once: Fastify validates every request with them and the
 * OpenAPI document (/api/openapi.json, @fastify/swagger) is generated from them. Shapes follow the contract
 * of docs/console.md (and src/store/event-store.ts for events).
 */

/** A rule's owner as the console writes it: letters, digits, "-" and "_" in labels of up to 63, an optional "*." in front. */
const RULE_NAME = String.raw`^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$`;
/** One line of text: it becomes a comment line in a zone file and an audit entry. */
const ONE_LINE = '^[^\\u0000-\\u001f\\u007f\\u2028\\u2029]*$';

export const ErrorReply = Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() }, { $id: 'ErrorReply', description: 'Why a request was refused.' });

export const LoginBody = Type.Object(
  { password: Type.String({ maxLength: 1024, description: 'The console password, or an API token (the session then has the token\'s role).' }) },
  { additionalProperties: false },
);

export const SessionReply = Type.Object({
  role: Type.Union([Type.Literal('read'), Type.Literal('admin')]),
  csrf: Type.String({ description: 'Send it back in the x-csrf-token header with every change (empty for a Bearer token, which needs none).' }),
  who: Type.String(),
});

const text = (description: string) => Type.Optional(Type.String({ maxLength: 255, description }));
const ms = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description }));

export const EventQuery = Type.Object(
  {
    name: text('A part of the query name (any letter case).'),
    client: text('The client as the block log wrote it (per blockLog.client).'),
    list: text('The list (the zone\'s logName).'),
    zone: text('The policy zone.'),
    group: text('The client group.'),
    action: text('nxdomain, nodata, passthru, drop, tcp-only, garden, local-data or stop-page.'),
    ref: text('The reference code the stop page shows.'),
    from: ms('From this time on (ms since the epoch).'),
    to: ms('Up to this time (ms since the epoch).'),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Events per page.' })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'The `next` of the page before: events older than it.' })),
  },
  { additionalProperties: false },
);

export const StoredEventSchema = Type.Object({
  id: Type.Integer(),
  time: Type.Number(),
  msg: Type.Union([Type.Literal('blocked'), Type.Literal('would block'), Type.Literal('passthru'), Type.Literal('query')]),
  ref: Type.String(),
  client: Type.String(),
  qname: Type.String(),
  qtype: Type.String(),
  zone: Type.String(),
  list: Type.String(),
  rule: Type.String(),
  trigger: Type.String(),
  action: Type.String(),
  group: Type.String(),
  ede: Type.Union([Type.Integer(), Type.Null()]),
  transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp')]),
  listener: Type.String(),
});

export const EventPageSchema = Type.Object({ events: Type.Array(StoredEventSchema), next: Type.Union([Type.Integer(), Type.Null()]) });

const counts = (key: string) => Type.Array(Type.Object({ [key]: Type.String(), count: Type.Integer() }));
const hours = Type.Array(Type.Object({ hour: Type.Number({ description: 'The hour\'s start, ms since the epoch.' }), count: Type.Integer() }));

export const ZoneStatusSchema = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('file'), Type.Literal('url'), Type.Literal('primaries')]),
  source: Type.String(),
  file: Type.String(),
  format: Type.String(),
  serial: Type.Union([Type.String(), Type.Null()]),
  rules: Type.Integer(),
  lastAttempt: Type.Union([Type.Number(), Type.Null()]),
  lastSuccess: Type.Union([Type.Number(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastTransfer: Type.Union([Type.Object({ kind: Type.String(), from: Type.String(), bytes: Type.Integer(), ms: Type.Number() }), Type.Null()]),
  nextAttempt: Type.Union([Type.Number(), Type.Null()]),
  expired: Type.Boolean(),
});

export const DashboardReply = Type.Object({
  hours24: hours,
  days7: hours,
  topNames: counts('name'),
  topClients: counts('client'),
  perList: counts('list'),
  perGroup: counts('group'),
  zones: Type.Array(ZoneStatusSchema),
});

export const WhyQuery = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 1024, description: 'The name asked for.' }),
    type: Type.Optional(Type.String({ maxLength: 16, default: 'A', description: 'The query type (A, AAAA, ...); rules before resolution do not depend on it.' })),
    client: Type.Optional(Type.String({ maxLength: 64, description: 'A client address: its group, and its client-IP rules.' })),
    group: Type.Optional(Type.String({ maxLength: 64, description: 'A client group by name, when no client is given (default: "default").' })),
  },
  { additionalProperties: false },
);

export const WhyReply = Type.Object({
  name: Type.String(),
  group: Type.String(),
  decision: Type.Union([Type.Literal('blocked'), Type.Literal('allowed'), Type.Literal('passthru'), Type.Literal('rewritten')]),
  zone: Type.Optional(Type.String()),
  list: Type.Optional(Type.String()),
  rule: Type.Optional(Type.String()),
  trigger: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
  schedule: Type.Optional(Type.String()),
  inForce: Type.Array(Type.String()),
});

export const RuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253, pattern: RULE_NAME, description: 'The name, or "*.name" for every name below it (never the name itself).' }),
    action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
    reason: Type.String({ maxLength: 200, pattern: ONE_LINE, default: '', description: 'Why, for the zone file\'s comment and the audit log.' }),
  },
  { additionalProperties: false },
);

export const RuleSchema = Type.Object({
  id: Type.String(),
  zone: Type.String(),
  name: Type.String(),
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  who: Type.String(),
  time: Type.Number(),
  reason: Type.String(),
});

export const PauseBody = Type.Object(
  {
    zone: Type.String({ minLength: 1, maxLength: 255, description: 'A policy zone by name.' }),
    group: Type.String({ minLength: 1, maxLength: 64, description: 'A client group by name ("default" for everyone no group matches).' }),
    minutes: Type.Integer({ minimum: 1, maximum: 10080, description: 'How long, at most a week.' }),
    reason: Type.String({ maxLength: 200, pattern: ONE_LINE, default: '' }),
  },
  { additionalProperties: false },
);

export const PauseSchema = Type.Object({
  id: Type.String(),
  zone: Type.String(),
  group: Type.String(),
  since: Type.Number(),
  until: Type.Number(),
  who: Type.String(),
  reason: Type.String(),
});

export const AuditQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false });

export const AuditEntrySchema = Type.Object({ time: Type.Number(), who: Type.String(), what: Type.String(), detail: Type.String() });

export const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{1,32}$' }) });
