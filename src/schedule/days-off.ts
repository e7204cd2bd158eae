/** A set of local day numbers held as sorted, disjoint inclusive ranges, so a ten-year range costs one entry. */
export class DaysOff {
  readonly #firsts: number[] = [];
  readonly #lasts: number[] = [];

  /** `ranges`: inclusive [first, last] day numbers, first <= last, in any order, overlapping or not. */
  constructor(ranges: ReadonlyArray<readonly [number, number]>) {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    for (const [first, last] of sorted) {
      const end = this.#lasts.length - 1;
      if (end >= 0 && first <= this.#lasts[end]! + 1) this.#lasts[end] = Math.max(this.#lasts[end]!, last);
      else {
        this.#firsts.push(first);
        this.#lasts.push(last);
      }
    }
  }

  /** Whether `day` is off. */
  has(day: number): boolean {
    let low = 0;
    let high = this.#firsts.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (day < this.#firsts[middle]!) high = middle - 1;
      else if (day > this.#lasts[middle]!) low = middle + 1;
      else return true;
    }
    return false;
  }
}
