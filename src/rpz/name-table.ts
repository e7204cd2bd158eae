import { sharedArray, sharedCopy } from './shared-arrays.js';

/**
 * The packed hash table behind NameIndex. Every name that exists in a policy
 * zone's trigger tree (each rule's name and all its ancestors) is one node,
 * and a node lives in its slot: open addressing, linear probing, one 16-byte
 * record per slot, so a probe reads one cache line:
 *
 *   [hash, label offset, parent slot + 1 (0 = the root), flags | label length << 2 | children << 10]
 *
 * A node exists while it has a flag or a child (an empty non-terminal). An
 * IXFR removes names from a copy of a table (removeFlag): a node that no
 * longer exists becomes a tombstone, which keeps the probe chains whole, is
 * never matched, and is dropped when the table is next re-placed. The arrays
 * are shared (shared-arrays.ts).
 *
 * A node is its leftmost label plus its parent, so a candidate is verified by
 * comparing the parent slot and that one label's bytes (each label stored once
 * in `bytes`), never the whole name. Hashes are FNV-1a over the characters from
 * right to left, so one pass over a query name yields the hash of every
 * ancestor at each "." on the way.
 */

/** Names with an exact rule. */
export const EXACT = 1;
/** Names with a wildcard rule `*.name`. */
export const WILD = 2;

export const FNV_OFFSET = 0x811c9dc5;
export const DOT = 0x2e;
export const STAR = 0x2a;
const FNV_PRIME = 0x01000193;
const STRIDE = 4;
/** The meta bits find() compares: the flags and the label length (a label of 63 octets written with \DDD escapes is 252 characters). */
const LABEL_META = 0x3ff;
const LENGTH_BITS = 0x3fc;
const CHILD = 1 << 10;
/** Children counts stop here; a node this full cannot lose children in place (removeFlag says so). */
const MAX_CHILDREN = 0x3fffff;
/** A removed node: not empty (probing goes on past it), label length 0 (never matched). */
const TOMBSTONE = CHILD;
/** Load factors: the builder doubles beyond GROW_AT; build() packs to PACK_AT. */
const GROW_AT = 0.7;
const PACK_AT = 0.65;

export interface NameTable {
  /** STRIDE int32 per slot, see above; meta 0 = empty slot (a label has at least one character). */
  records: Int32Array;
  /** Per slot: the exact rule's value and the wildcard rule's value (meaningful when the flag is set). */
  exact: Uint32Array;
  wild: Uint32Array;
  /** Label bytes (canonical names are ASCII: one character, one byte). */
  bytes: Uint8Array;
  used: number;
  nodes: number;
  /** Tombstones: slots taken by removed nodes, counted in the load. */
  dead: number;
  capacity: number;
  /** capacity / 2^32: a hash scaled into [0, capacity) without a modulo. */
  scale: number;
}

/** One step of the right-to-left FNV-1a hash. */
export function step(hash: number, char: number): number {
  return Math.imul(hash ^ char, FNV_PRIME);
}

/** Spreads the FNV state over all 32 bits (murmur3 fmix32) before it picks a slot. */
export function finish(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** The slot of the node for `text.slice(start)` whose first label ends at `labelEnd` and whose parent is slot `parent` (-1: the root); -1 if none. */
export function find(table: NameTable, hash: number, text: string, start: number, labelEnd: number, parent: number): number {
  const { records, bytes, capacity } = table;
  const meta = EXACT | WILD | ((labelEnd - start) << 2);
  let slot = Math.floor((hash >>> 0) * table.scale);
  for (;;) {
    const r = slot * STRIDE;
    const found = records[r + 3]!;
    if (found === 0) return -1;
    if (records[r] === hash && records[r + 2] === parent + 1 && ((found & LABEL_META) | EXACT | WILD) === meta) {
      const offset = records[r + 1]! - start;
      let i = start;
      while (i < labelEnd && bytes[offset + i] === text.charCodeAt(i)) i++;
      if (i === labelEnd) return slot;
    }
    if (++slot === capacity) slot = 0;
  }
}

/** An empty table with room for `nodes` nodes and `bytes` label bytes. */
export function createTable(nodes: number, bytes: number, load = GROW_AT): NameTable {
  const capacity = Math.max(16, Math.ceil(nodes / load));
  return {
    records: sharedArray(Int32Array, capacity * STRIDE),
    exact: sharedArray(Uint32Array, capacity),
    wild: sharedArray(Uint32Array, capacity),
    bytes: sharedArray(Uint8Array, bytes),
    used: 0,
    nodes: 0,
    dead: 0,
    capacity,
    scale: capacity / 2 ** 32,
  };
}

/**
 * The slot of `name`'s node, created with its missing ancestors ("" is the
 * root and has none: callers handle it). `name` is canonical with `labels` labels.
 */
export function insert(table: NameTable, name: string, labels: number): number {
  reserve(table, name.length, labels);
  let parent = -1;
  let labelEnd = name.length;
  let hash = FNV_OFFSET;
  for (let i = name.length - 1; i >= -1; i--) {
    const c = i >= 0 ? name.charCodeAt(i) : DOT;
    if (c === DOT) {
      const start = i + 1;
      const h = finish(hash);
      let slot = find(table, h, name, start, labelEnd, parent);
      if (slot < 0) {
        const offset = table.used;
        for (let k = start; k < labelEnd; k++) table.bytes[offset + k - start] = name.charCodeAt(k);
        table.used += labelEnd - start;
        slot = place(table, h, offset, parent, (labelEnd - start) << 2);
        table.nodes++;
        if (parent >= 0 && table.records[parent * STRIDE + 3]! >>> 10 < MAX_CHILDREN) table.records[parent * STRIDE + 3]! += CHILD;
      }
      parent = slot;
      labelEnd = i;
    }
    hash = step(hash, c);
  }
  return parent;
}

/**
 * Clears `flag` (EXACT or WILD) of the node in `slot`; a node left with no
 * flag and no child is removed, and so, in turn, is each ancestor that this
 * leaves empty. Returns false, with the table partly changed, when an
 * ancestor's children count is saturated (MAX_CHILDREN): the caller builds
 * the zone again instead.
 */
export function removeFlag(table: NameTable, slot: number, flag: number): boolean {
  const records = table.records;
  records[slot * STRIDE + 3]! &= ~flag;
  for (let r = slot * STRIDE; (records[r + 3]! & ~LENGTH_BITS) === 0; ) {
    const parent = records[r + 2]! - 1;
    records[r + 3] = TOMBSTONE;
    table.nodes--;
    table.dead++;
    if (parent < 0) return true;
    r = parent * STRIDE;
    if (records[r + 3]! >>> 10 === MAX_CHILDREN) return false;
    records[r + 3]! -= CHILD;
  }
  return true;
}

/** A copy of `table` that can be changed (insert, removeFlag) while the original stays in use. */
export function cloneTable(table: NameTable): NameTable {
  return { ...table, records: sharedCopy(table.records), exact: sharedCopy(table.exact), wild: sharedCopy(table.wild), bytes: sharedCopy(table.bytes) };
}

/** A copy of `table` packed to its final size; the source can be dropped. */
export function pack(table: NameTable): NameTable {
  const packed = createTable(table.nodes, table.used, PACK_AT);
  moveNodes(table, packed);
  return packed;
}

/** Stores a record in the first free slot from the hash's home slot; the caller made sure it is absent. */
function place(table: NameTable, hash: number, offset: number, parent: number, meta: number): number {
  let slot = Math.floor((hash >>> 0) * table.scale);
  while (table.records[slot * STRIDE + 3] !== 0) if (++slot === table.capacity) slot = 0;
  const r = slot * STRIDE;
  table.records[r] = hash;
  table.records[r + 1] = offset;
  table.records[r + 2] = parent + 1;
  table.records[r + 3] = meta;
  return slot;
}

/** Room for one more name: its bytes, a node per label, slots at most GROW_AT full. */
function reserve(table: NameTable, length: number, labels: number): void {
  if (table.used + length > table.bytes.length) {
    const bytes = sharedArray(Uint8Array, Math.max(2 * table.bytes.length, table.used + length));
    bytes.set(table.bytes);
    table.bytes = bytes;
  }
  if (table.nodes + table.dead + labels <= table.capacity * GROW_AT) return;
  // Twice the room the live nodes need, and never smaller: a table mostly of tombstones is re-placed at its size.
  const bigger = createTable(2 * Math.max(table.nodes + labels, (table.capacity * GROW_AT) / 2), table.bytes.length);
  moveNodes(table, bigger);
  Object.assign(table, bigger);
}

/**
 * Re-places every node of `from` in the empty table `to`, tombstones left
 * behind and the labels' bytes copied without those of removed nodes, then
 * renumbers the parent links.
 */
function moveNodes(from: NameTable, to: NameTable): void {
  const moved = new Int32Array(from.capacity);
  const { records, bytes } = from;
  let used = 0;
  for (let slot = 0; slot < from.capacity; slot++) {
    const r = slot * STRIDE;
    const meta = records[r + 3]!;
    if ((meta & LENGTH_BITS) === 0) continue; // empty, or a tombstone
    const offset = records[r + 1]!;
    const end = offset + ((meta & LENGTH_BITS) >> 2);
    const target = place(to, records[r]!, used, records[r + 2]! - 1, meta);
    for (let i = offset; i < end; i++) to.bytes[used++] = bytes[i]!;
    to.exact[target] = from.exact[slot]!;
    to.wild[target] = from.wild[slot]!;
    moved[slot] = target;
  }
  to.used = used;
  to.nodes = from.nodes;
  for (let r = 2; r < to.records.length; r += STRIDE) {
    const parent = to.records[r]!;
    if (parent > 0) to.records[r] = moved[parent - 1]! + 1;
  }
}

/** EXACT | WILD of the node in `slot`. */
export function flagsOf(table: NameTable, slot: number): number {
  return table.records[slot * STRIDE + 3]! & (EXACT | WILD);
}

/** Marks the node in `slot` with EXACT or WILD. */
export function addFlag(table: NameTable, slot: number, flag: number): void {
  table.records[slot * STRIDE + 3]! |= flag;
}
