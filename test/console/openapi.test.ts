import t from 'tap';
import { startConsoleServer } from '../helpers/console-server.js';

/** The API is described by an OpenAPI document generated from the very schemas that validate each request. */
t.test('/api/openapi.json lists every route of the contract with its schemas', async (t) => {
  const console = await startConsoleServer(t);
  const reply = await console.client().call('GET', '/api/openapi.json', { headers: { authorization: `Bearer ${console.tokens.read}` } });
  t.equal(reply.status, 200);
  const doc = reply.json as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>> };
  t.match(doc.openapi, /^3\./);
  const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)).sort();
  t.same(routes, [
    'DELETE /api/pauses/{id}',
    'DELETE /api/rules/{id}',
    'GET /api/audit',
    'GET /api/dashboard',
    'GET /api/events',
    'GET /api/events.csv',
    'GET /api/pauses',
    'GET /api/rules',
    'GET /api/session',
    'GET /api/why',
    'POST /api/login',
    'POST /api/logout',
    'POST /api/pauses',
    'POST /api/rules',
  ]);
  for (const path of ['/api/login', '/api/rules', '/api/pauses']) t.ok(doc.paths[path]!.post!.requestBody, `POST ${path} has its body's schema`);
  t.same(doc.paths['/api/events']!.get!.parameters!.map((p) => p.name).sort(), ['action', 'before', 'client', 'from', 'group', 'limit', 'list', 'name', 'ref', 'to', 'zone']);
  t.same(doc.paths['/api/why']!.get!.parameters!.map((p) => p.name).sort(), ['client', 'group', 'name', 'type']);
  t.ok(doc.paths['/api/why']!.get!.responses['200'], 'responses are described');
});
