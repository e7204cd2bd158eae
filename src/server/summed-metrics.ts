import { AggregatorRegistry, Registry } from 'prom-client';

/** One registry's metrics as prom-client's getMetricsAsJSON gives them, or one answering loop's (LoopMetrics.families). */
export type MetricsJson = readonly object[];

/**
 * What /metrics serves: the main thread's own registry plus the metrics of every answering loop (the one on
 * this thread, or each worker thread's), summed by prom-client's AggregatorRegistry (counters and histograms
 * add up; so do gauges such as the cache entries, each loop having its own cache). Loops are read when
 * /metrics is scraped, not on a timer: nothing is spent between scrapes. A worker that does not answer in time
 * is counted with its last answer; the counters and histograms of a worker that died are kept (`retire`), so
 * that no total goes down, while its gauges go with it. What it counted since the last scrape before it died
 * is lost.
 */
export class SummedMetrics extends Registry {
  readonly #main: Registry;
  readonly #loops: () => MetricsJson[] | Promise<MetricsJson[]>;
  #retired: MetricsJson = [];

  /** `loops` gathers the metrics of each answering loop alive. */
  constructor(main: Registry, loops: () => MetricsJson[] | Promise<MetricsJson[]>) {
    super();
    this.#main = main;
    this.#loops = loops;
  }

  override async metrics(): Promise<string> {
    return (await this.#summed()).metrics();
  }

  override async getMetricsAsJSON(): ReturnType<Registry['getMetricsAsJSON']> {
    return (await this.#summed()).getMetricsAsJSON();
  }

  /** Keeps the counters and histograms of a worker that stopped, from its last metrics. */
  async retire(last: MetricsJson): Promise<void> {
    const lasting = last.filter((metric) => (metric as { type?: string }).type !== 'gauge');
    this.#retired = await AggregatorRegistry.aggregate([this.#retired, lasting] as object[][]).getMetricsAsJSON();
  }

  async #summed(): Promise<Registry> {
    const [main, loops] = await Promise.all([this.#main.getMetricsAsJSON(), this.#loops()]);
    return AggregatorRegistry.aggregate([main, this.#retired, ...loops] as object[][]);
  }
}
