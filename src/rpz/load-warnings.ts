/** How many example lines a warning kind keeps. */
const EXAMPLES = 3;

/** One kind of problem found while loading a zone, counted, with its first few places. */
export interface WarningSummary {
  readonly kind: string;
  readonly count: number;
  /** "file:line: detail" for the first few occurrences. */
  readonly examples: readonly string[];
}

/**
 * Records that cannot be used are skipped and counted per kind, and reported
 * once per kind with the first few lines (a 40,000-line feed with one defect
 * repeated must not produce 40,000 log lines).
 */
export class LoadWarnings {
  readonly #kinds = new Map<string, { count: number; examples: string[] }>();

  add(kind: string, file: string, line: number, detail: string): void {
    let entry = this.#kinds.get(kind);
    if (entry === undefined) this.#kinds.set(kind, (entry = { count: 0, examples: [] }));
    entry.count++;
    if (entry.examples.length < EXAMPLES) entry.examples.push(`${file}:${line}: ${detail}`);
  }

  /** Every kind seen, in the order first seen. */
  summary(): WarningSummary[] {
    return [...this.#kinds].map(([kind, { count, examples }]) => ({ kind, count, examples }));
  }

  get total(): number {
    let total = 0;
    for (const { count } of this.#kinds.values()) total += count;
    return total;
  }
}
