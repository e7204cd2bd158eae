import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mib } from './memory.js';

/** Resident memory may grow at most this much from the end of the warm-up to the end of a round. */
export const MEMORY_BOUND_BYTES = 64 * 1048576;
/** The share of a round's inputs that warms caches and pools before memory is measured. */
const WARM_UP_SHARE = 0.1;
/** How many findings of one kind are kept with their detail (all are counted). */
const KEPT_PER_KIND = 3;

/** Memory at one moment: resident, and the V8 heap and external memory in use, of the process `bound` applies to. */
export interface MemorySample {
  readonly rss: number;
  readonly heap?: number;
  /** What the bound applies to: the server process's RSS, or (rounds in this process) the memory in use. */
  readonly bound?: 'server rss' | 'heap';
}

const NO_SAMPLE: MemorySample = { rss: Number.NaN };

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
 * given by `memory`) and the rate. `summary()` is what a run prints.
 */
export class Campaign {
  readonly counters = new Map<string, number>();
  readonly findings: Finding[] = [];
  readonly #findingCounts = new Map<string, number>();
  readonly #started = performance.now();
  #lastProgress = performance.now();
  #done = 0;
  #start: MemorySample = NO_SAMPLE;
  #warm: MemorySample | null = null;
  #end: MemorySample = NO_SAMPLE;
  #rssPeak = 0;
  #warmAt: number;
  #sampling: Promise<void> | null = null;
  #seconds = 0;

  readonly target: string;
  readonly options: RoundOptions;
  readonly memory: () => Promise<number | MemorySample>;
  constructor(target: string, options: RoundOptions, memory: () => Promise<number | MemorySample>) {
    this.target = target;
    this.options = options;
    this.memory = memory;
    this.#warmAt = Math.max(1, Math.floor(options.count * WARM_UP_SHARE));
    options.log(`fuzz ${target}: seed ${options.seed}, inputs ${options.from}..${options.from + options.count - 1} (replay: --target ${target} --seed ${options.seed} --from ${options.from} --count ${options.count})`);
  }

  async begin(): Promise<void> {
    this.#start = await this.#sample();
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
    const warmDue = this.#warm === null && done >= this.#warmAt;
    if (!warmDue && now - this.#lastProgress < 10_000) return;
    this.#lastProgress = now;
    this.#sampling = this.#sample().then((sample) => {
      if (warmDue) this.#warm = sample;
      const seconds = (performance.now() - this.#started) / 1000;
      if (!warmDue) this.options.log(`  ${this.target}: ${done.toLocaleString('en')} / ${this.options.count.toLocaleString('en')} in ${seconds.toFixed(0)} s (${Math.round(done / seconds).toLocaleString('en')}/s), RSS ${mib(sample.rss)}`);
      this.#sampling = null;
    });
    if (warmDue) await this.#sampling;
  }

  /** Takes the last memory sample; call once every input has been answered. */
  async end(): Promise<void> {
    await this.#sampling;
    this.#seconds = (performance.now() - this.#started) / 1000;
    this.#end = await this.#sample();
    this.#warm ??= this.#start;
  }

  /**
   * End minus warm-up, in bytes: of the server process's RSS; for rounds in
   * this process, of the V8 heap and external memory in use (this process's
   * RSS also holds the fuzzer and the heap V8 keeps committed after a
   * collection: 400 to 580 MiB with a flat 65 MiB in use, over 20,000 zone texts).
   */
  get growth(): number {
    const warm = this.#warm ?? this.#start;
    return this.#end.bound === 'heap' ? (this.#end.heap ?? Number.NaN) - (warm.heap ?? Number.NaN) : this.#end.rss - warm.rss;
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
    const warm = this.#warm ?? this.#start;
    return [
      `fuzz ${this.target}: seed ${this.options.seed}: ${this.#done.toLocaleString('en')} inputs in ${this.#seconds.toFixed(1)} s (${rate.toLocaleString('en')}/s)`,
      `  ${counters}`,
      `  ${this.#end.bound === 'heap' ? 'fuzzer' : 'server'} RSS start ${mib(this.#start.rss)}, after warm-up ${mib(warm.rss)}, end ${mib(this.#end.rss)}, peak sample ${mib(this.#rssPeak)}`,
      ...(this.#end.heap === undefined ? [] : [`  ${this.#end.bound === 'heap' ? 'fuzzer' : 'server'} heap and external memory in use: start ${mib(this.#start.heap ?? 0)}, after warm-up ${mib(warm.heap ?? 0)}, end ${mib(this.#end.heap)}`]),
      `  growth after warm-up ${mib(this.growth)} (${this.#end.bound === 'heap' ? 'heap and external' : 'server RSS'}; bound ${mib(MEMORY_BOUND_BYTES)}: ${this.growth <= MEMORY_BOUND_BYTES ? 'ok' : 'EXCEEDED'})`,
      `  findings: ${findings}`,
    ];
  }

  async #sample(): Promise<MemorySample> {
    const taken = await this.memory();
    const sample = typeof taken === 'number' ? { rss: taken } : taken;
    this.#rssPeak = Math.max(this.#rssPeak, sample.rss);
    return sample;
  }
}
