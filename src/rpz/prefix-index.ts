import type { IpPrefix } from './ip-prefix.js';
import { sharedArray, sharedCopy } from './shared-arrays.js';

/** A prefix that matched: its rule id and its length in the 128-bit space. */
export interface PrefixMatch {
  value: number;
  length128: number;
}

/**
 * The IP triggers of one kind in one policy zone, for longest-prefix match:
 * read-only once built, safe to share. Build it with PrefixIndexBuilder.
 *
 * One 128-bit space, as BIND's radix tree (lib/dns/rpz.c): IPv4 lives at
 * ::ffff:0:0/96, so an IPv4 prefix only ever matches IPv4-mapped addresses,
 * while an IPv6 prefix that covers ::ffff:0:0/96 (say ::/1) matches IPv4
 * addresses too, as in BIND.
 *
 * Layout: open-addressing hash tables of masked addresses keyed by
 * (address, length), one for prefixes inside ::ffff:0:0/96 (32-bit keys,
 * 9 bytes a slot) and one for the rest (128-bit keys, 21 bytes a slot), each
 * with the list of lengths present; a lookup probes those lengths, longest
 * first. IPv4-heavy feeds (/32 and /24) cost two probes a lookup.
 */
export class PrefixIndex {
  readonly #v4: PrefixTable;
  readonly #v6: PrefixTable;
  /** Lengths present, longest first: IPv4 lengths 0..32 (of the 32-bit key), IPv6 lengths 0..128. */
  readonly #v4Lengths: Uint8Array;
  readonly #v6Lengths: Uint8Array;
  /** The IPv6 prefixes (shorter than /96) that hold all of ::ffff:0:0/96, longest first: the only ones an IPv4 address can match besides IPv4 prefixes. */
  readonly #v6OverV4: readonly PrefixMatch[];

  /** The index as plain data, to move it between threads. */
  parts(): PrefixIndexParts {
    return { v4: this.#v4.parts(), v6: this.#v6.parts() };
  }

  /** Rebuilds an index from `parts()`. */
  static fromParts(parts: PrefixIndexParts): PrefixIndex {
    return new PrefixIndex(PrefixTable.fromParts(parts.v4), PrefixTable.fromParts(parts.v6));
  }

  /** Made by PrefixIndexBuilder.build. */
  constructor(v4: PrefixTable, v6: PrefixTable) {
    this.#v4 = v4;
    this.#v6 = v6;
    this.#v4Lengths = v4.lengths();
    this.#v6Lengths = v6.lengths();
    const over: PrefixMatch[] = [];
    for (const length of this.#v6Lengths) {
      const slot = length < 96 ? v6.find(0, 0, MAPPED & MASKS[length * 4 + 2]!, 0, length) : -1;
      if (slot >= 0) over.push(Object.freeze({ value: v6.value(slot), length128: length }));
    }
    this.#v6OverV4 = over;
  }

  /** Number of prefixes held. */
  get size(): number {
    return this.#v4.size + this.#v6.size;
  }

  /** The longest prefix holding `address` (16 bytes; IPv4 as ::ffff:a.b.c.d), or null. Prefixes are unique, so it is the only one of its length. */
  longest(address: Uint8Array): PrefixMatch | null {
    return this.#search(address, null);
  }

  /** Every prefix holding `address`, longest first. */
  matches(address: Uint8Array): PrefixMatch[] {
    const all: PrefixMatch[] = [];
    this.#search(address, all);
    return all;
  }

  /** Probes longest first; returns the first hit, or collects every hit into `all`. */
  #search(a: Uint8Array, all: PrefixMatch[] | null): PrefixMatch | null {
    const k0 = word(a, 0);
    const k1 = word(a, 4);
    const k2 = word(a, 8);
    const k3 = word(a, 12);
    if (k0 === 0 && k1 === 0 && k2 === MAPPED) {
      const lengths = this.#v4Lengths;
      for (let i = 0; i < lengths.length; i++) {
        const length = lengths[i]!;
        const slot = this.#v4.find(k3 & MASKS[96 * 4 + length * 4 + 3]!, 0, 0, 0, length);
        if (slot < 0) continue;
        const match = { value: this.#v4.value(slot), length128: 96 + length };
        if (all === null) return match;
        all.push(match);
      }
      for (const match of this.#v6OverV4) {
        if (all === null) return { ...match };
        all.push({ ...match });
      }
      return null;
    }
    for (const length of this.#v6Lengths) {
      const m = length * 4;
      const slot = this.#v6.find(k0 & MASKS[m]!, k1 & MASKS[m + 1]!, k2 & MASKS[m + 2]!, k3 & MASKS[m + 3]!, length);
      if (slot < 0) continue;
      const match = { value: this.#v6.value(slot), length128: length };
      if (all === null) return match;
      all.push(match);
    }
    return null;
  }
}

/**
 * Collects prefixes, then builds a PrefixIndex: from nothing (a whole zone),
 * or from a copy of an index in force (an IXFR delta, which removes and adds).
 */
export class PrefixIndexBuilder {
  #v4: PrefixTable | null;
  #v6: PrefixTable | null;

  constructor(from?: PrefixIndexParts) {
    this.#v4 = from === undefined ? new PrefixTable(1) : PrefixTable.copyOf(from.v4);
    this.#v6 = from === undefined ? new PrefixTable(4) : PrefixTable.copyOf(from.v6);
  }

  /**
   * Adds `prefix` with rule id `value` (uint32). Bits past the prefix length
   * are ignored. Returns false, changing nothing, when the prefix is already
   * there: the first value added wins.
   */
  add(prefix: IpPrefix, value: number): boolean {
    const { table, k0, k1, k2, k3, length } = this.#locate(prefix, 'add');
    return table.insert(k0, k1, k2, k3, length, value);
  }

  /** Removes `prefix`; false when it is not there. */
  remove(prefix: IpPrefix): boolean {
    const { table, k0, k1, k2, k3, length } = this.#locate(prefix, 'remove');
    return table.remove(k0, k1, k2, k3, length);
  }

  /** The finished index; the builder cannot be used afterwards. */
  build(): PrefixIndex {
    if (this.#v4 === null || this.#v6 === null) throw new Error('PrefixIndexBuilder.build called twice');
    const index = new PrefixIndex(this.#v4, this.#v6);
    this.#v4 = this.#v6 = null;
    return index;
  }

  /** The table that holds `prefix`, and its masked key and length there: IPv4-mapped prefixes of /96 and longer in the 32-bit table. */
  #locate(prefix: IpPrefix, operation: string): { table: PrefixTable; k0: number; k1: number; k2: number; k3: number; length: number } {
    if (this.#v4 === null || this.#v6 === null) throw new Error(`PrefixIndexBuilder.${operation} after build()`);
    const a = prefix.address;
    const length = prefix.length128;
    if (!Number.isInteger(length) || length < 0 || length > 128 || a.length !== 16) throw new RangeError(`not a 128-bit prefix: length ${length}, ${a.length} address bytes`);
    const k0 = word(a, 0);
    const k1 = word(a, 4);
    const k2 = word(a, 8);
    const k3 = word(a, 12);
    if (length >= 96 && k0 === 0 && k1 === 0 && k2 === MAPPED) return { table: this.#v4, k0: k3 & MASKS[length * 4 + 3]!, k1: 0, k2: 0, k3: 0, length: length - 96 };
    const m = length * 4;
    return { table: this.#v6, k0: k0 & MASKS[m]!, k1: k1 & MASKS[m + 1]!, k2: k2 & MASKS[m + 2]!, k3: k3 & MASKS[m + 3]!, length };
  }
}

/** The third 32-bit word of an IPv4-mapped address, 0x0000ffff. */
const MAPPED = 0xffff;

/** MASKS[length * 4 + i]: the i-th 32-bit word of the /length netmask. */
const MASKS = new Int32Array(129 * 4);
for (let length = 0; length <= 128; length++) {
  for (let i = 0; i < 4; i++) {
    const bits = Math.min(32, Math.max(0, length - 32 * i));
    MASKS[length * 4 + i] = bits === 0 ? 0 : -1 << (32 - bits);
  }
}

function word(a: Uint8Array, at: number): number {
  return (a[at]! << 24) | (a[at + 1]! << 16) | (a[at + 2]! << 8) | a[at + 3]!;
}

function hash(k0: number, k1: number, k2: number, k3: number, length: number): number {
  let h = Math.imul(k0 ^ Math.imul(length + 1, 0x27d4eb2f), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ k1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13) ^ k2, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16) ^ k3, 0x9e3779b1);
  return h ^ (h >>> 16);
}

/** A PrefixTable as plain data (typed arrays and numbers). */
export interface PrefixTableParts {
  readonly width: 1 | 4;
  readonly keys: Int32Array;
  readonly tags: Uint8Array;
  readonly values: Uint32Array;
  readonly size: number;
}

/** A PrefixIndex as plain data. */
export interface PrefixIndexParts {
  readonly v4: PrefixTableParts;
  readonly v6: PrefixTableParts;
}

/**
 * PrefixIndex's storage, not for other callers. Open addressing, linear
 * probing, at most 3/4 full: per slot a key of `width` 32-bit words, a length
 * tag (length + 1; 0 = empty) and a value. The arrays are shared
 * (shared-arrays.ts), like the name tables, so that a worker thread applying
 * an IXFR reads the table in force without a copy.
 */
export class PrefixTable {
  readonly #width: 1 | 4;
  #keys: Int32Array;
  #tags: Uint8Array;
  #values: Uint32Array;
  #size = 0;

  constructor(width: 1 | 4) {
    this.#width = width;
    this.#keys = new Int32Array(0);
    this.#tags = new Uint8Array(0);
    this.#values = new Uint32Array(0);
  }

  get size(): number {
    return this.#size;
  }

  parts(): PrefixTableParts {
    return { width: this.#width, keys: this.#keys, tags: this.#tags, values: this.#values, size: this.#size };
  }

  /** A table with copies of `parts`' arrays, to change while the original stays in force. */
  static copyOf(parts: PrefixTableParts): PrefixTable {
    return PrefixTable.fromParts({ ...parts, keys: sharedCopy(parts.keys), tags: sharedCopy(parts.tags), values: sharedCopy(parts.values) });
  }

  static fromParts(parts: PrefixTableParts): PrefixTable {
    const table = new PrefixTable(parts.width);
    table.#keys = parts.keys;
    table.#tags = parts.tags;
    table.#values = parts.values;
    table.#size = parts.size;
    return table;
  }

  value(slot: number): number {
    return this.#values[slot]!;
  }

  /** The slot of (key, length), or -1. */
  find(k0: number, k1: number, k2: number, k3: number, length: number): number {
    const tags = this.#tags;
    if (tags.length === 0) return -1;
    const keys = this.#keys;
    const mask = tags.length - 1;
    const tag = length + 1;
    let slot = hash(k0, k1, k2, k3, length) & mask;
    for (;;) {
      const t = tags[slot]!;
      if (t === 0) return -1;
      if (t === tag) {
        if (this.#width === 1) {
          if (keys[slot] === k0) return slot;
        } else {
          const at = slot * 4;
          if (keys[at] === k0 && keys[at + 1] === k1 && keys[at + 2] === k2 && keys[at + 3] === k3) return slot;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Adds (key, length) -> value unless present; true if added. */
  insert(k0: number, k1: number, k2: number, k3: number, length: number, value: number): boolean {
    if (this.find(k0, k1, k2, k3, length) >= 0) return false;
    if ((this.#size + 1) * 4 > this.#tags.length * 3) this.#grow();
    this.#place(k0, k1, k2, k3, length + 1, value >>> 0);
    this.#size++;
    return true;
  }

  /**
   * Removes (key, length); true if it was there. Backward-shift deletion: each
   * entry after the freed slot in its run moves back into it unless that would
   * put it before its home slot, so lookups never need tombstones.
   */
  remove(k0: number, k1: number, k2: number, k3: number, length: number): boolean {
    let free = this.find(k0, k1, k2, k3, length);
    if (free < 0) return false;
    const tags = this.#tags;
    const keys = this.#keys;
    const w = this.#width;
    const mask = tags.length - 1;
    for (let next = (free + 1) & mask; tags[next] !== 0; next = (next + 1) & mask) {
      const at = next * w;
      const home = hash(keys[at]!, w === 4 ? keys[at + 1]! : 0, w === 4 ? keys[at + 2]! : 0, w === 4 ? keys[at + 3]! : 0, tags[next]! - 1) & mask;
      // The entry stays if its home lies cyclically in (free, next]: moved to `free`, a lookup from home would not reach it.
      if (free < next ? free < home && home <= next : free < home || home <= next) continue;
      tags[free] = tags[next]!;
      this.#values[free] = this.#values[next]!;
      keys.copyWithin(free * w, at, at + w);
      free = next;
    }
    tags[free] = 0;
    this.#size--;
    return true;
  }

  /** The lengths present, longest first. */
  lengths(): Uint8Array {
    const seen = new Uint8Array(130);
    for (const tag of this.#tags) seen[tag] = 1;
    const out: number[] = [];
    for (let tag = 129; tag >= 1; tag--) if (seen[tag] === 1) out.push(tag - 1);
    return Uint8Array.from(out);
  }

  #place(k0: number, k1: number, k2: number, k3: number, tag: number, value: number): void {
    const mask = this.#tags.length - 1;
    let slot = hash(k0, k1, k2, k3, tag - 1) & mask;
    while (this.#tags[slot] !== 0) slot = (slot + 1) & mask;
    this.#tags[slot] = tag;
    this.#values[slot] = value;
    const at = slot * this.#width;
    this.#keys[at] = k0;
    if (this.#width === 4) {
      this.#keys[at + 1] = k1;
      this.#keys[at + 2] = k2;
      this.#keys[at + 3] = k3;
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const tags = this.#tags;
    const values = this.#values;
    const capacity = Math.max(16, tags.length * 2);
    this.#keys = sharedArray(Int32Array, capacity * this.#width);
    this.#tags = sharedArray(Uint8Array, capacity);
    this.#values = sharedArray(Uint32Array, capacity);
    const w = this.#width;
    for (let slot = 0; slot < tags.length; slot++) {
      const tag = tags[slot]!;
      if (tag === 0) continue;
      const at = slot * w;
      this.#place(keys[at]!, w === 4 ? keys[at + 1]! : 0, w === 4 ? keys[at + 2]! : 0, w === 4 ? keys[at + 3]! : 0, tag, values[slot]!);
    }
  }
}
