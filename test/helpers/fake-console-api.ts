import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { publicFiles } from '../../src/console/pages.js';
import { fakeEvents, fakeGroup, fakeMatch, fakeZones, perHour, top, type FakeEvent, type FakeZone } from './fake-console-data.js';

/**
 * A FAKE console API server on 127.0.0.1 for the page tests: the real pages (src/console/public, served as
 * the admin listener serves them, under CSP `default-src 'self'`) against the routes of the API contract
 * with canned-but-consistent data (fake-console-data.ts). Not the real API: no store, no policy, no files.
 */
export interface FakeConsoleApi {
  readonly url: string;
  readonly events: FakeEvent[];
  readonly zones: FakeZone[];
  /** Every request's method and path, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export const FAKE_ADMIN_PASSWORD = 'fake admin password';
export const FAKE_READ_PASSWORD = 'fake read-only password';
export const FAKE_CSP = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

type Reply = { status: number; body?: unknown; type?: string; headers?: Record<string, string> };

/** Starts the fake; `now` is the clock its events, pauses and audit entries are relative to. */
export async function startFakeConsoleApi(now: () => number = Date.now): Promise<FakeConsoleApi> {
  const events = fakeEvents(now());
  const zones = fakeZones(now());
  const files = new Map(publicFiles().map((f) => [f.url, { body: readFileSync(f.file), type: f.type }]));
  const sessions = new Map<string, { role: 'admin' | 'read'; csrf: string; who: string }>();
  const rules: Array<{ id: string; zone: string; name: string; action: 'allow' | 'block'; reason: string; who: string; time: number }> = [];
  const pauses: Array<{ id: string; zone: string; group: string; since: number; until: number; reason: string; who: string }> = [];
  const audit: Array<{ time: number; who: string; what: string; detail: string }> = [];
  const requests: string[] = [];
  let nextId = 1;

  const zoneFor = (action: 'allow' | 'block') => zones.find((z) => z.name === (action === 'allow' ? 'allow.rpz' : 'local.rpz'))!;
  const note = (who: string, what: string, detail: string) => audit.unshift({ time: now(), who, what, detail });

  function api(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>, cookie: string | undefined, csrf: string | undefined): Reply {
    if (method === 'POST' && path === '/api/login') {
      const role = body.password === FAKE_ADMIN_PASSWORD ? 'admin' : body.password === FAKE_READ_PASSWORD ? 'read' : null;
      if (role === null) return { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'wrong password' } };
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { role, csrf: randomBytes(16).toString('hex'), who: role === 'admin' ? 'admin' : 'reader' });
      return { status: 204, headers: { 'set-cookie': `fake_console_session=${id}; Path=/; HttpOnly; SameSite=Strict` } };
    }
    const session = cookie === undefined ? undefined : sessions.get(cookie);
    if (session === undefined) return { status: 401, body: { error: 'Unauthorized', message: 'log in first' } };
    if (method !== 'GET' && csrf !== session.csrf) return { status: 403, body: { error: 'Forbidden', message: 'missing or wrong x-csrf-token' } };
    if (method !== 'GET' && path !== '/api/logout' && session.role !== 'admin') return { status: 403, body: { error: 'Forbidden', message: 'read-only role' } };
    const who = session.who;
    if (method === 'GET' && path === '/api/session') return { status: 200, body: session };
    if (method === 'POST' && path === '/api/logout') return sessions.delete(cookie!), { status: 204 };
    if (method === 'GET' && path === '/api/events') return { status: 200, body: search(events, query) };
    if (method === 'GET' && path === '/api/events.csv') return { status: 200, type: 'text/csv; charset=utf-8', body: csv(search(events, query).events) };
    if (method === 'GET' && path === '/api/dashboard') {
      // The top lists cover the last 24 hours, the current hour included (as the store's dashboard).
      const day = events.filter((e) => e.time >= (Math.floor(now() / 3_600_000) - 23) * 3_600_000);
      const pairs = (key: 'qname' | 'client' | 'list' | 'group', as: string) => top(day, key).map((t) => ({ [as]: t.value, count: t.count }));
      const status = zones.map((z) => ({ name: z.name, rules: z.owners.length, ...z.status }));
      return { status: 200, body: { hours24: perHour(events, now(), 24), days7: perHour(events, now(), 168), topNames: pairs('qname', 'name'), topClients: pairs('client', 'client'), perList: pairs('list', 'list'), perGroup: pairs('group', 'group'), zones: status } };
    }
    if (method === 'GET' && path === '/api/why') {
      const name = query.get('name') ?? '';
      if (name === '') return { status: 400, body: { error: 'Bad Request', message: 'querystring must have required property name' } };
      const client = query.get('client');
      const group = client ? fakeGroup(client) : query.get('group') || 'default';
      const inForce = zones.filter((z) => z.groups === undefined || z.groups.includes(group)).map((z) => z.name);
      const match = fakeMatch(zones, name, group);
      if (match === null) return { status: 200, body: { name, group, decision: 'allowed', inForce } };
      const { zone, owner } = match;
      return { status: 200, body: { name, group, decision: zone.action === 'passthru' ? 'passthru' : 'blocked', zone: zone.name, list: zone.list, rule: owner, trigger: 'qname', action: zone.action, ...(zone.schedule && { schedule: zone.schedule }), inForce } };
    }
    if (method === 'GET' && path === '/api/rules') return { status: 200, body: rules };
    if (method === 'POST' && path === '/api/rules') {
      const { name, action, reason } = body as { name?: string; action?: string; reason?: string };
      if (typeof name !== 'string' || !/^[a-z0-9*_-]+(\.[a-z0-9_-]+)*\.?$/i.test(name)) return { status: 400, body: { error: 'Bad Request', message: `not a domain name: ${String(name)}` } };
      if (action !== 'allow' && action !== 'block') return { status: 400, body: { error: 'Bad Request', message: 'action must be allow or block' } };
      const zone = zoneFor(action);
      const rule = { id: (nextId++).toString(16), zone: zone.name, name: name.toLowerCase(), action: action as 'allow' | 'block', reason: reason ?? '', who, time: now() };
      rules.push(rule);
      zone.owners.push(rule.name);
      note(who, `rule ${action}`, `${rule.name} in ${zone.name}: ${rule.reason}`);
      return { status: 200, body: { id: rule.id, zone: rule.zone, name: rule.name, action } };
    }
    const ruleId = /^\/api\/rules\/([0-9a-f]+)$/.exec(path);
    if (method === 'DELETE' && ruleId) {
      const index = rules.findIndex((r) => r.id === ruleId[1]);
      if (index < 0) return { status: 404, body: { error: 'Not Found', message: `no rule ${ruleId[1]}` } };
      const [rule] = rules.splice(index, 1);
      const owners = zoneFor(rule!.action).owners;
      owners.splice(owners.indexOf(rule!.name), 1);
      note(who, `rule ${rule!.action} removed`, `${rule!.name} from ${rule!.zone}`);
      return { status: 204 };
    }
    if (method === 'GET' && path === '/api/pauses') return { status: 200, body: pauses.filter((p) => p.until > now()) };
    if (method === 'POST' && path === '/api/pauses') {
      const { zone, group, minutes, reason } = body as { zone?: string; group?: string; minutes?: number; reason?: string };
      if (!zones.some((z) => z.name === zone) || typeof group !== 'string' || group === '' || typeof minutes !== 'number' || minutes < 1) return { status: 400, body: { error: 'Bad Request', message: 'zone, group and minutes (at least 1) are required' } };
      const pause = { id: (nextId++).toString(16), zone: zone!, group, since: now(), until: now() + minutes * 60_000, reason: reason ?? '', who };
      pauses.push(pause);
      note(who, 'pause', `${pause.zone} for ${group}, ${minutes} min: ${pause.reason}`);
      return { status: 200, body: { id: pause.id, until: pause.until } };
    }
    const pauseId = /^\/api\/pauses\/([0-9a-f]+)$/.exec(path);
    if (method === 'DELETE' && pauseId) {
      const index = pauses.findIndex((p) => p.id === pauseId[1]);
      if (index < 0) return { status: 404, body: { error: 'Not Found', message: `no pause ${pauseId[1]}` } };
      const [pause] = pauses.splice(index, 1);
      note(who, 'pause ended', `${pause!.zone} for ${pause!.group}`);
      return { status: 204 };
    }
    if (method === 'GET' && path === '/api/audit') return { status: 200, body: audit.slice(0, Number(query.get('limit') ?? 100)) };
    return { status: 404, body: { error: 'Not Found', message: `${method} ${path}` } };
  }

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const headers = { 'content-security-policy': FAKE_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
    const file = request.method === 'GET' ? files.get(url.pathname) : undefined;
    if (file !== undefined) return response.writeHead(200, { ...headers, 'content-type': file.type }).end(file.body);
    let text = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        return response.writeHead(400, headers).end('{"message":"body is not JSON"}');
      }
      const cookie = /(?:^|;\s*)fake_console_session=([0-9a-f]+)/.exec(request.headers.cookie ?? '')?.[1];
      const reply = url.pathname.startsWith('/api/') ? api(request.method ?? 'GET', url.pathname, url.searchParams, body, cookie, request.headers['x-csrf-token'] as string | undefined) : { status: 404, body: { message: 'not found' } };
      const out = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      response.writeHead(reply.status, { ...headers, ...reply.headers, ...(out !== '' && { 'content-type': reply.type ?? 'application/json; charset=utf-8' }) }).end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    zones,
    requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** GET /api/events on the fake: the contract's filters, newest first, `before` as the id cursor. */
function search(events: readonly FakeEvent[], query: URLSearchParams): { events: FakeEvent[]; next: number | null } {
  const q = (key: string) => query.get(key) || undefined;
  const name = q('name')?.toLowerCase();
  const [from, to, before] = [q('from'), q('to'), q('before')].map((v) => (v === undefined ? undefined : Number(v)));
  const limit = Math.min(500, Number(q('limit') ?? 50));
  const exact = (['client', 'list', 'zone', 'group', 'action', 'ref'] as const).filter((key) => q(key) !== undefined);
  const found = events
    .filter((e) => (name === undefined || e.qname.toLowerCase().includes(name)) && exact.every((key) => e[key] === q(key)))
    .filter((e) => (from === undefined || e.time >= from) && (to === undefined || e.time <= to) && (before === undefined || e.id < before))
    .reverse();
  const page = found.slice(0, limit);
  return { events: page, next: found.length > limit ? page.at(-1)!.id : null };
}

function csv(events: readonly FakeEvent[]): string {
  const columns = ['time', 'ref', 'client', 'qname', 'qtype', 'zone', 'list', 'rule', 'trigger', 'action', 'group'] as const;
  const quote = (value: unknown) => (/[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));
  return [columns.join(','), ...events.map((e) => columns.map((c) => quote(c === 'time' ? new Date(e.time).toISOString() : e[c])).join(','))].join('\n') + '\n';
}
