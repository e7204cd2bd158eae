import { prng } from '../helpers/prng.js';

/** The random choices of one fuzz input. */
export interface Rng {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  range(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  bytes(n: number): Buffer;
}

/**
 * The random source of input `index` of a run seeded with `seed`: the same
 * pair always gives the same choices, so any single input can be rebuilt
 * and replayed without generating the ones before it.
 */
export function inputRng(seed: number, index: number): Rng {
  const float = prng(mix(seed >>> 0, index >>> 0));
  const int = (n: number): number => Math.floor(float() * n);
  return {
    float,
    int,
    range: (min, max) => min + int(max - min + 1),
    chance: (p) => float() < p,
    pick: <T>(list: readonly T[]): T => list[int(list.length)]!,
    bytes(n) {
      const out = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}

/** murmur3's finaliser over both words: neighbouring indexes get unrelated streams. */
function mix(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ index;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seed for a run that was given none: printed, so the run can be replayed. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
