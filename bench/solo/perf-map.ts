import { readFileSync, writeFileSync } from 'node:fs';

interface Entry {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/**
 * Rewrites a `--perf-basic-prof` symbol map (/tmp/perf-<pid>.map: "start size name" a line, in the order V8
 * wrote them) so that no two entries overlap, keeping the one written last. V8 reuses the memory of code it
 * threw away, and perf takes the first entry that covers an address: without this, samples of a function
 * compiled late are blamed on whatever lay there before (a start-up RegExp took 8 % of a compass profile).
 * The latest entry is right for the samples of a run taken after the warm-up.
 */
export function dedupePerfMap(path: string): void {
  const written: Entry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (match === null) continue;
    const start = parseInt(match[1]!, 16);
    written.push({ start, end: start + parseInt(match[2]!, 16), name: match[3]! });
  }
  // The latest first; `kept` stays sorted by start and free of overlaps, so one neighbour each side decides.
  const kept: Entry[] = [];
  for (let i = written.length - 1; i >= 0; i--) {
    const entry = written[i]!;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (kept[mid]!.start < entry.start) low = mid + 1;
      else high = mid;
    }
    const before = kept[low - 1];
    const after = kept[low];
    if ((before !== undefined && before.end > entry.start) || (after !== undefined && after.start < entry.end)) continue;
    kept.splice(low, 0, entry);
  }
  writeFileSync(path, kept.map((e) => `${e.start.toString(16)} ${(e.end - e.start).toString(16)} ${e.name}\n`).join(''));
}
