/** How many example lines a warning kind keeps. */
const EXAMPLES = 3;

/** One kind of problem found while loading a zone, counted, with its first few places. */
export interface WarningSummary {
  readonly kind: string;
  readonly count: number;
  /** "file:line: detail" (or "file: detail" for the whole zone) for the first few occurrences. */
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
    // Line 0: a warning about the whole zone, which has no line of its own.
    if (entry.examples.length < EXAMPLES) entry.examples.push(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
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

/**
 * Warnings of a zone after a delta: `base` less those of the records taken
 * out, plus those of the records put in. Kinds that fall to zero go; the
 * examples are the new records' first, then the base's.
 */
export function warningsChanged(base: readonly WarningSummary[], out: readonly WarningSummary[], added: readonly WarningSummary[]): WarningSummary[] {
  const kinds = new Map<string, { count: number; examples: string[] }>();
  const entry = (kind: string): { count: number; examples: string[] } => kinds.get(kind) ?? kinds.set(kind, { count: 0, examples: [] }).get(kind)!;
  for (const warning of base) entry(warning.kind).count += warning.count;
  for (const warning of out) entry(warning.kind).count -= warning.count;
  for (const warning of added) {
    const kind = entry(warning.kind);
    kind.count += warning.count;
    kind.examples.push(...warning.examples);
  }
  for (const warning of base) entry(warning.kind).examples.push(...warning.examples);
  return [...kinds].filter(([, { count }]) => count > 0).map(([kind, { count, examples }]) => ({ kind, count, examples: examples.slice(0, EXAMPLES) }));
}
