import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mib } from './memory.js';

/** Resident memory may grow at most this much from the end of the warm-up to the end of a round. */
export const MEMORY_BOUND_BYTES = 64 * 1048576;
/** The share of a round's inputs that warms caches and pools before memory is measured. */
const WARM_UP_SHARE = 0.1;
/** How many findings of one kind are kept with their detail (all are counted). */
const KEPT_PER_KIND = 3;

/** One thing a round found: what, at which input, and how it looked. */
export interface Finding {
  readonly kind: string;
  readonly index: number;
  readonly detail: string;
}

/** What a round is asked to do. */
export interface RoundOptions {
  readonly seed: number;
  /** Index of the first input (a replay of one input sets it and count 1). */
  readonly from: number;
  readonly count: number;
  /** Where failing inputs are written (<target>-<seed>-<index>.bin). */
  readonly dumpDir?: string;
  /** Progress and summary lines. */
  readonly log: (line: string) => void;
}

/**
 * The bookkeeping of one fuzz round: counters, findings (with the seed and
 * input index that reproduce each), memory samples (the process measured is
 * given by `rss`) and the rate. `summary()` is what a run prints.
 */
export class Campaign {
  readonly counters = new Map<string, number>();
  readonly findings: Finding[] = [];
  readonly #findingCounts = new Map<string, number>();
  readonly #started = performance.now();
  #lastProgress = performance.now();
  #done = 0;
  #rssStart = Number.NaN;
  #rssWarm = Number.NaN;
  #rssEnd = Number.NaN;
  #rssPeak = 0;
  #warmAt: number;
  #sampling: Promise<void> | null = null;
  #seconds = 0;

  constructor(
    readonly target: string,
    readonly options: RoundOptions,
    readonly rss: () => Promise<number>,
  ) {
    this.#warmAt = Math.max(1, Math.floor(options.count * WARM_UP_SHARE));
    options.log(`fuzz ${target}: seed ${options.seed}, inputs ${options.from}..${options.from + options.count - 1} (replay: --target ${target} --seed ${options.seed} --from ${options.from} --count ${options.count})`);
  }

  async begin(): Promise<void> {
    this.#rssStart = await this.#sample();
  }

  /** Adds to a counter shown in the summary. */
  count(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  /** Records a finding for input `index`; `input` (bytes or text) is dumped when a dump directory is set. */
  fail(kind: string, index: number, detail: string, input?: Buffer | string): void {
    const seen = (this.#findingCounts.get(kind) ?? 0) + 1;
    this.#findingCounts.set(kind, seen);
    if (seen <= KEPT_PER_KIND) {
      this.findings.push({ kind, index, detail: detail.slice(0, 2000) });
      this.options.log(`  FINDING ${kind} at input ${index} (seed ${this.options.seed}): ${detail.slice(0, 500)}`);
      if (this.options.dumpDir !== undefined && input !== undefined) {
        mkdirSync(this.options.dumpDir, { recursive: true });
        const file = join(this.options.dumpDir, `${this.target}-${this.options.seed}-${index}.bin`);
        writeFileSync(file, input);
        this.options.log(`    input written to ${file}`);
      }
    }
  }

  /** Call as inputs complete: samples memory after the warm-up and now and then, and prints progress every 10 s. */
  async progress(done: number): Promise<void> {
    this.#done = done;
    if (this.#sampling !== null) return;
    const now = performance.now();
    const warmDue = Number.isNaN(this.#rssWarm) && done >= this.#warmAt;
    if (!warmDue && now - this.#lastProgress < 10_000) return;
    this.#lastProgress = now;
    this.#sampling = this.#sample().then((rss) => {
      if (warmDue) this.#rssWarm = rss;
      const seconds = (performance.now() - this.#started) / 1000;
      if (!warmDue) this.options.log(`  ${this.target}: ${done.toLocaleString('en')} / ${this.options.count.toLocaleString('en')} in ${seconds.toFixed(0)} s (${Math.round(done / seconds).toLocaleString('en')}/s), RSS ${mib(rss)}`);
      this.#sampling = null;
    });
    if (warmDue) await this.#sampling;
  }

  /** Takes the last memory sample; call once every input has been answered. */
  async end(): Promise<void> {
    await this.#sampling;
    this.#seconds = (performance.now() - this.#started) / 1000;
    this.#rssEnd = await this.#sample();
    if (Number.isNaN(this.#rssWarm)) this.#rssWarm = this.#rssStart;
  }

  /** End minus warm-up, in bytes. */
  get growth(): number {
    return this.#rssEnd - this.#rssWarm;
  }

  get failed(): boolean {
    return this.#findingCounts.size > 0 || this.growth > MEMORY_BOUND_BYTES || Number.isNaN(this.growth);
  }

  /** Finding kinds with how often each was seen. */
  get findingCounts(): ReadonlyMap<string, number> {
    return this.#findingCounts;
  }

  /** The lines a run prints at its end. */
  summary(): string[] {
    const rate = Math.round(this.#done / this.#seconds);
    const counters = [...this.counters].map(([name, n]) => `${name} ${n.toLocaleString('en')}`).join(', ');
    const findings = [...this.#findingCounts].map(([kind, n]) => `${kind} x${n}`).join('; ') || 'none';
    return [
      `fuzz ${this.target}: seed ${this.options.seed}: ${this.#done.toLocaleString('en')} inputs in ${this.#seconds.toFixed(1)} s (${rate.toLocaleString('en')}/s)`,
      `  ${counters}`,
      `  RSS start ${mib(this.#rssStart)}, after warm-up ${mib(this.#rssWarm)}, end ${mib(this.#rssEnd)}, peak sample ${mib(this.#rssPeak)}; growth ${mib(this.growth)} (bound ${mib(MEMORY_BOUND_BYTES)}: ${this.growth <= MEMORY_BOUND_BYTES ? 'ok' : 'EXCEEDED'})`,
      `  findings: ${findings}`,
    ];
  }

  async #sample(): Promise<number> {
    const rss = await this.rss();
    this.#rssPeak = Math.max(this.#rssPeak, rss);
    return rss;
  }
}
