import { readFileSync } from 'node:fs';
import t from 'tap';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

// docs/grafana/stopzone.json is what an admin imports into Grafana: it must be a dashboard Grafana takes (an
// import input for the data source, panels on the 24-column grid) and every metric its queries name must be
// one a running server's /metrics has; and no Stopzone metric is left without a panel.

interface Target { expr: string; datasource: { uid: string } }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { uid: string }; targets?: Target[]; panels?: Panel[] }
interface Dashboard { __inputs: Array<{ name: string; pluginId: string }>; uid: string; title: string; panels: Panel[]; templating: { list: Array<{ query: { query: string } }> } }

const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana/stopzone.json', import.meta.url), 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = [...panels.flatMap((p) => (p.targets ?? []).map((target) => ({ panel: p.title, expr: target.expr }))), ...dashboard.templating.list.map((v) => ({ panel: 'variable', expr: v.query.query }))];

/** The metric names a PromQL expression names (Stopzone's all start with stopzone_). */
const named = (expr: string): string[] => [...expr.matchAll(/\bstopzone_[a-z0-9_]+\b/g)].map((m) => m[0]);

/** The sample names /metrics can have: each family from its # TYPE line, with a histogram's _bucket, _sum and _count. */
function exposed(text: string): { families: Map<string, string>; samples: Set<string> } {
  const families = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(name!, type!);
  const samples = new Set<string>();
  for (const [name, type] of families) {
    samples.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) samples.add(`${name}${suffix}`);
  }
  return { families, samples };
}

t.test('the dashboard is one Grafana can import: a data source input, unique panel ids, panels on the 24-column grid', async (t) => {
  t.match(dashboard, { uid: 'stopzone', title: 'Stopzone' });
  t.same(dashboard.__inputs.map((i) => [i.name, i.pluginId]), [['DS_PROMETHEUS', 'prometheus']], 'the Prometheus data source is asked for on import');
  t.equal(new Set(panels.map((p) => p.id)).size, panels.length, 'panel ids are unique');
  for (const p of panels) t.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.h > 0, `${p.title}: inside the grid`);
  const withQueries = panels.filter((p) => p.type !== 'row');
  t.ok(withQueries.length >= 20, `${withQueries.length} panels`);
  for (const p of withQueries) {
    t.ok((p.targets ?? []).length > 0, `${p.title}: has queries`);
    t.ok((p.targets ?? []).every((target) => target.datasource.uid === '${DS_PROMETHEUS}') && p.datasource?.uid === '${DS_PROMETHEUS}', `${p.title}: on the imported data source`);
  }
  for (const { panel, expr } of queries) {
    const opened = [...expr].reduce((depth, c) => (depth < 0 ? depth : depth + (c === '(' ? 1 : c === ')' ? -1 : 0)), 0);
    const braces = [...expr].reduce((depth, c) => (depth < 0 ? depth : depth + (c === '{' ? 1 : c === '}' ? -1 : 0)), 0);
    t.ok(opened === 0 && braces === 0 && named(expr).length > 0, `${panel}: ${expr} is balanced and names a metric`);
  }
});

t.test("every metric the dashboard's queries name is on a running server's /metrics, and every Stopzone metric has a panel", async (t) => {
  const upstream = await startFakeUpstream({ records: { 'example.test': [{ type: 'A', data: '192.0.2.1' }] } });
  const server = await startTestServer(testConfig([upstream.hostPort], 'rateLimit: { enabled: true }\n', 'warn'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const text = await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text();
  const { families, samples } = exposed(text);
  t.ok(families.has('stopzone_queries_total') && families.get('stopzone_upstream_seconds') === 'histogram', '/metrics read');
  const used = new Set(queries.flatMap((q) => named(q.expr)));
  t.same([...used].filter((name) => !samples.has(name)).sort(), [], 'no query names a metric /metrics lacks');
  // The process defaults of prom-client are many; the dashboard shows the few an admin reads (memory, CPU, lag).
  const ours = [...families.keys()].filter((name) => !name.startsWith('stopzone_process_'));
  const covered = (name: string) => used.has(name) || ['_bucket', '_sum', '_count'].some((suffix) => used.has(`${name}${suffix}`));
  t.same(ours.filter((name) => !covered(name)).sort(), [], 'every Stopzone metric is on the dashboard');
});
