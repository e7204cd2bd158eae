/** What a batch is handed to: a SonicBoom stream (pino.destination, pino-roll). */
export interface BatchDestination {
  write(data: string): unknown;
  /** Calls back once everything handed so far is written. */
  flush(callback: (error?: Error) => void): void;
  /** 'write': bytes the destination has written; 'drop': a batch it refused, its buffer full (emitted inside write). */
  on(event: 'write', listener: (bytes: number) => void): unknown;
  on(event: 'drop', listener: (batch: string) => void): unknown;
}

/** How many lines a batch holds (each line ends in a newline): what a destination that drops it loses. */
export function linesIn(batch: string): number {
  let count = 0;
  for (let at = batch.indexOf('\n'); at !== -1; at = batch.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * Gathers log lines into writes of whole lines of at most `maxBytes` bytes each, handed to every destination as
 * one string when the next line would not fit, every `flushMs`, and on flush. It stands in front of SonicBoom,
 * which on every write it is given measures the UTF-8 length of the whole string it is still gathering: one
 * call per line made that a copy of up to `maxBytes` per line, 6 % of a logged block's CPU (bench/README.md,
 * hot-path.ts, "The block event"). Here each line is measured once and a batch is joined once.
 */
export class LineBatch {
  readonly #destinations: readonly BatchDestination[];
  readonly #maxBytes: number;
  readonly #roomBytes: number;
  #lines: string[] = [];
  #bytes = 0;
  /** Per destination, bytes handed to it and not yet written: what its buffer holds. */
  readonly #unwritten: number[];
  #refused = false;
  readonly #timer: NodeJS.Timeout;

  /** `roomBytes`: what each destination buffers at most before it drops (SonicBoom's maxLength). */
  constructor(destinations: readonly BatchDestination[], maxBytes: number, flushMs: number, roomBytes = Number.POSITIVE_INFINITY) {
    this.#destinations = destinations;
    this.#maxBytes = maxBytes;
    this.#roomBytes = roomBytes;
    this.#unwritten = destinations.map(() => 0);
    destinations.forEach((destination, index) => {
      destination.on('write', (bytes) => {
        this.#unwritten[index] = Math.max(0, this.#unwritten[index]! - bytes);
      });
      destination.on('drop', () => {
        this.#refused = true;
      });
    });
    this.#timer = setInterval(() => this.#handOn(), flushMs).unref();
  }

  /**
   * Whether a line of about `bytes` would be kept by at least one destination: when none has room, a caller can
   * count the line as dropped without making it (a flood of events then costs a counter, not a line each).
   */
  hasRoom(bytes: number): boolean {
    // A loop, not some(): this runs for every event, and a closure per call was garbage.
    for (const unwritten of this.#unwritten) if (unwritten + this.#bytes + bytes <= this.#roomBytes) return true;
    return false;
  }

  /** Adds one line (pino's, ending in a newline). */
  write(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    if (this.#bytes + bytes > this.#maxBytes) this.#handOn();
    this.#lines.push(line);
    this.#bytes += bytes;
    return true;
  }

  /** Hands on what is gathered and calls back once every destination has written it. */
  flush(callback: () => void = () => {}): void {
    this.#handOn();
    let waiting = this.#destinations.length;
    if (waiting === 0) callback();
    for (const destination of this.#destinations) destination.flush(() => --waiting === 0 && callback());
  }

  /** Hands on what is gathered and stops the timer (the destinations are the caller's to end). */
  stop(): void {
    this.#handOn();
    clearInterval(this.#timer);
  }

  #handOn(): void {
    if (this.#lines.length === 0) return;
    const batch = this.#lines.length === 1 ? this.#lines[0]! : this.#lines.join('');
    const bytes = this.#bytes;
    this.#lines = [];
    this.#bytes = 0;
    this.#destinations.forEach((destination, index) => {
      this.#refused = false;
      destination.write(batch);
      if (!this.#refused) this.#unwritten[index]! += bytes;
    });
  }
}
