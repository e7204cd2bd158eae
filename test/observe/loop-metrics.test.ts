import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import t from 'tap';
import { LoopMetrics } from '../../src/observe/loop-metrics.js';
import { TCP_CLOSE_REASONS, type TcpStats } from '../../src/model/tcp-stats.js';

// An answering loop keeps its metrics as plain numbers (a worker thread loads no prom-client) and gives them as
// metric families when /metrics is scraped; the main thread sums them with prom-client. What /metrics shows
// must be what prom-client's own metrics would show: here the upstream histogram against a prom-client
// Histogram fed the same answer times, and two loops summed as two workers are.

const closedNone = Object.fromEntries(TCP_CLOSE_REASONS.map((reason) => [reason, 0])) as TcpStats['closed'];
const loop = (tcp: Partial<TcpStats> = {}): LoopMetrics =>
  new LoopMetrics({ cache: { size: 3, bytes: 300 }, tcp: () => ({ open: 0, queuedBytes: 0, queuedBytesPeak: 0, closed: closedNone, ...tcp }) });

const rendered = (...loops: LoopMetrics[]): Promise<string> => AggregatorRegistry.aggregate(loops.map((l) => l.families() as object[])).metrics();
const series = (text: string, prefix: string): string[] => text.split('\n').filter((line) => line.startsWith(prefix));

// Bounds themselves (an answer of exactly 5 ms is in the le="0.005" bucket), between them, and above the last.
const TIMES = [0.0004, 0.001, 0.005, 0.0051, 0.3, 2.5, 2.6, 9];

t.test('the upstream histogram is the one prom-client writes for the same answer times', async (t) => {
  const metrics = loop();
  const registry = new Registry();
  const reference = new Histogram({ name: 'stopzone_upstream_seconds', help: 'reference', labelNames: ['upstream'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  for (const seconds of TIMES) {
    metrics.upstream('127.0.0.1:53', seconds);
    reference.observe({ upstream: '127.0.0.1:53' }, seconds);
  }
  const ours = series(await rendered(metrics), 'stopzone_upstream_seconds');
  t.same(ours, series(await registry.metrics(), 'stopzone_upstream_seconds'), 'same buckets, sum and count, line for line');
  t.ok(ours.includes('stopzone_upstream_seconds_bucket{le="0.005",upstream="127.0.0.1:53"} 3'), 'a time on a bound counts in that bound');
  t.ok(ours.includes('stopzone_upstream_seconds_bucket{le="+Inf",upstream="127.0.0.1:53"} 8'), 'every answer under +Inf');
});

t.test("two loops' metrics add up as two workers' do", async (t) => {
  const one = loop({ open: 2, closed: { ...closedNone, idle: 1 } });
  const two = loop({ open: 5 });
  one.upstream('127.0.0.1:53', 0.002);
  two.upstream('127.0.0.1:53', 0.2);
  two.upstream('[::1]:53', null);
  one.upstream('[::1]:53', null);
  two.malformedAnswer('[::1]:53');
  const text = await rendered(one, two);
  t.same(series(text, 'stopzone_upstream_seconds_count'), ['stopzone_upstream_seconds_count{upstream="127.0.0.1:53"} 2']);
  t.same(series(text, 'stopzone_upstream_seconds_bucket{le="0.0025"'), ['stopzone_upstream_seconds_bucket{le="0.0025",upstream="127.0.0.1:53"} 1']);
  t.same(series(text, 'stopzone_upstream_errors_total'), ['stopzone_upstream_errors_total{upstream="[::1]:53"} 2']);
  t.same(series(text, 'stopzone_upstream_malformed_answers_total'), ['stopzone_upstream_malformed_answers_total{upstream="[::1]:53"} 1']);
  t.same(series(text, 'stopzone_cache_entries'), ['stopzone_cache_entries 6'], 'each loop its own cache: the entries add up');
  t.same(series(text, 'stopzone_tcp_connections '), ['stopzone_tcp_connections 7']);
  t.ok(series(text, 'stopzone_tcp_connections_closed_total').includes('stopzone_tcp_connections_closed_total{reason="idle"} 1'));
});

t.test('the families are plain data a worker thread can post', async (t) => {
  const metrics = loop();
  metrics.upstream('127.0.0.1:53', 0.01);
  const families = metrics.families();
  t.same(structuredClone(families), families);
});
