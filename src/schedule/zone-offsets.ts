/**
 * One zone's UTC offsets, read from Intl.DateTimeFormat (the tz database Node carries) and kept as the
 * transitions found in each 32-day chunk of time. Reading an offset from Intl costs ~5-20 µs; a kept chunk answers
 * in a few ns, so a schedule's sweep of the coming days costs microseconds after the first. Probes a day apart
 * find each transition, then a binary search places it to the millisecond: two transitions less than a day
 * apart would go unseen, which no zone has had since 1970.
 */
export class ZoneOffsets {
  static readonly #byZone = new Map<string, ZoneOffsets>();
  readonly #format: Intl.DateTimeFormat;
  /** Chunk number -> [offset at the chunk's start, then instant and new offset of each transition in it]. */
  readonly #chunks = new Map<number, number[]>();

  /** The shared offsets of `timeZone`; throws RangeError when Intl does not know it. */
  static of(timeZone: string): ZoneOffsets {
    let offsets = ZoneOffsets.#byZone.get(timeZone);
    if (offsets === undefined) {
      offsets = new ZoneOffsets(timeZone);
      ZoneOffsets.#byZone.set(timeZone, offsets);
    }
    return offsets;
  }

  private constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  }

  /** The offset from UTC at instant `ms`, in milliseconds: local wall time = ms + offsetAt(ms). */
  offsetAt(ms: number): number {
    const chunk = Math.floor(ms / CHUNK_MS);
    const table = this.#chunks.get(chunk) ?? this.#readChunk(chunk);
    let offset = table[0]!;
    for (let i = 1; i < table.length && table[i]! <= ms; i += 2) offset = table[i + 1]!;
    return offset;
  }

  #readChunk(chunk: number): number[] {
    if (this.#chunks.size >= MAX_CHUNKS) this.#chunks.clear();
    const start = chunk * CHUNK_MS;
    const table = [this.#intlOffsetAt(start)];
    let offset = table[0]!;
    for (let probe = start + PROBE_MS; probe <= start + CHUNK_MS; probe += PROBE_MS) {
      const next = this.#intlOffsetAt(probe);
      if (next === offset) continue;
      let [low, high] = [probe - PROBE_MS, probe]; // offset at low, next at high: the change is in (low, high]
      while (high - low > 1) {
        const middle = low + Math.floor((high - low) / 2);
        if (this.#intlOffsetAt(middle) === offset) low = middle;
        else high = middle;
      }
      table.push(high, next); // one at the chunk's end is never read: the next chunk starts with its offset
      offset = next;
    }
    this.#chunks.set(chunk, table);
    return table;
  }

  #intlOffsetAt(ms: number): number {
    const at: Record<string, number> = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    for (const part of this.#format.formatToParts(ms)) if (part.type in at) at[part.type] = Number(part.value);
    const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
    return Date.UTC(at.year!, at.month! - 1, at.day!, at.hour!, at.minute!, at.second!) - wholeSecond;
  }
}

const DAY = 86_400_000;
const CHUNK_MS = 32 * DAY;
const PROBE_MS = DAY;
/** Chunks kept per zone (~5.6 years); all are dropped when more are needed, and read again on demand. */
const MAX_CHUNKS = 64;
