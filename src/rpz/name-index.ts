import { addFlag, cloneTable, createTable, DOT, EXACT, find, flagsOf, FNV_OFFSET, finish, insert, pack, removeFlag, STAR, step, WILD, type NameTable } from './name-table.js';

/** The rule a name matched in one index. */
export interface NameMatch {
  /** The rule id given to NameIndexBuilder.add. */
  value: number;
  wildcard: boolean;
  /** Labels in the matched trigger name (without the "*"), for "more labels over fewer" across zones. */
  labels: number;
  /** The matched trigger owner, "*.example.com" or "example.com", for logs (BIND's "via"). */
  owner: string;
}

/** What NameIndexBuilder.build hands over; not for other callers. */
export interface NameIndexParts {
  table: NameTable;
  /** Rule values at the index's root ("" exact, "*" wildcard), -1 for none. */
  rootExact: number;
  rootWild: number;
  exact: number;
  wildcard: number;
}

const ROOT = -1;
/** A "*" label directly below a wildcard's parent: the wildcard's own owner, which exists but holds no node. */
const STAR_OWNER = -2;

/**
 * QNAME-style triggers of one policy zone (also NSDNAME triggers), packed for
 * a million rules: read-only once built, safe to share. Build it with
 * NameIndexBuilder.
 *
 * Matching follows BIND, which looks the name up in the policy zone as in any
 * zone (lib/ns/query.c rpz_find_p: dns_db_findext on the trigger name below the
 * zone origin), so wildcards follow RFC 4592: an exact rule wins; otherwise the
 * wildcard applies only at the name's closest encloser, the deepest ancestor
 * that exists in the zone. A name "exists" when it owns a rule or has one below
 * it. Consequences, as BIND behaves:
 * - `*.example` never matches `example`;
 * - with `*.example` and `a.b.example`, the empty non-terminal `b.example` is not
 *   matched, nor is `z.b.example` (its closest encloser is `b.example`, which has
 *   no wildcard): BIND's lib/dns/rbtdb.c and qpzone.c activeemptynode() ("find out
 *   if there's an empty nonterminal node between the wildcard level and the
 *   qname") refuse the wildcard, the find returns DNS_R_EMPTYNAME or
 *   DNS_R_NXDOMAIN, and rpz_find_p turns both into "no policy in this zone";
 * - likewise an exact rule `a.example` hides `*.example` from `x.a.example`.
 * PowerDNS issue #8231 ("RPZ: ENTs do not prevent wildcard expansion") records
 * BIND's behaviour as the correct one.
 */
export class NameIndex {
  /** Number of rules (exact + wildcard). */
  readonly size: number;
  /** Exact and wildcard counts, for `stopzone check`. */
  readonly counts: { readonly exact: number; readonly wildcard: number };
  readonly #table: NameTable;
  readonly #rootExact: number;
  readonly #rootWild: number;

  readonly #parts: NameIndexParts;

  constructor(parts: NameIndexParts) {
    this.#parts = parts;
    this.#table = parts.table;
    this.#rootExact = parts.rootExact;
    this.#rootWild = parts.rootWild;
    this.counts = Object.freeze({ exact: parts.exact, wildcard: parts.wildcard });
    this.size = parts.exact + parts.wildcard;
  }

  /** The index as plain data (typed arrays and numbers), to move it between threads; `new NameIndex(parts)` rebuilds it. */
  parts(): NameIndexParts {
    return this.#parts;
  }

  /**
   * The rule for `name` (lower-case, no trailing dot, "" for the root), or null.
   * One right-to-left pass: at each "." the suffix seen so far is an ancestor;
   * ancestors are probed from the top down and the walk stops at the first one
   * that does not exist, since nothing below it can. A miss allocates nothing.
   */
  lookup(name: string): NameMatch | null {
    const table = this.#table;
    const length = name.length;
    if (length === 0) return this.#rootExact < 0 ? null : { value: this.#rootExact, wildcard: false, labels: 0, owner: '' };
    let encloser = ROOT;
    let encloserStart = length;
    let encloserLabels = 0;
    let labelEnd = length;
    let labels = 0;
    let hash = FNV_OFFSET;
    for (let i = length - 1; i >= -1; i--) {
      const c = i >= 0 ? name.charCodeAt(i) : DOT;
      if (c === DOT) {
        const start = i + 1;
        labels++;
        // Below STAR_OWNER (-2) nothing is stored: find() compares parent + 1 = -1 with stored links >= 0.
        const node = find(table, finish(hash), name, start, labelEnd, encloser);
        const starOwner = labelEnd === start + 1 && name.charCodeAt(start) === STAR && this.#wildValue(encloser) >= 0;
        if (node < 0 && !starOwner) break;
        if (start === 0) {
          if (node >= 0 && (flagsOf(table, node) & EXACT) !== 0) return { value: table.exact[node]!, wildcard: false, labels, owner: name };
          // The query is the wildcard's own owner name: BIND answers from that node.
          if (starOwner) return this.#wildMatch(name, encloser, encloserStart, encloserLabels);
          return null; // an empty non-terminal, or the parent of a wildcard
        }
        encloser = node >= 0 ? node : STAR_OWNER;
        encloserStart = start;
        encloserLabels = labels;
        labelEnd = i;
      }
      hash = step(hash, c);
    }
    return this.#wildMatch(name, encloser, encloserStart, encloserLabels);
  }

  #wildValue(node: number): number {
    if (node === ROOT) return this.#rootWild;
    if (node === STAR_OWNER) return -1;
    return (flagsOf(this.#table, node) & WILD) !== 0 ? this.#table.wild[node]! : -1;
  }

  #wildMatch(name: string, encloser: number, start: number, labels: number): NameMatch | null {
    const value = this.#wildValue(encloser);
    if (value < 0) return null;
    return { value, wildcard: true, labels, owner: start === name.length ? '*' : `*.${name.slice(start)}` };
  }
}

/**
 * Collects QNAME-style triggers and packs them into a NameIndex. Names are
 * canonical (lower-case ASCII as zone-names.ts writes them, \DDD escapes, no
 * trailing dot, "" for the index's root), relative to the policy zone; a
 * wildcard `*.name` is added as ("name", true). Each add walks the name's
 * ancestors once and creates the missing ones in the growing table, so no
 * temporary map holds the rules; build() packs the table to its final size
 * and drops the builder's.
 */
export class NameIndexBuilder {
  #table: NameTable | null;
  #rootExact: number;
  #rootWild: number;
  #exact: number;
  #wildcard: number;
  /** An edited copy is handed over as it is, packed only when tombstones pile up; a new table is always packed. */
  readonly #editing: boolean;

  /** An empty builder, or one holding a copy of `from` (an index in force) to change by a delta while `from` stays in use. */
  constructor(from?: NameIndexParts) {
    this.#table = from === undefined ? createTable(1024, 1 << 16) : cloneTable(from.table);
    this.#rootExact = from?.rootExact ?? -1;
    this.#rootWild = from?.rootWild ?? -1;
    this.#exact = from?.exact ?? 0;
    this.#wildcard = from?.wildcard ?? 0;
    this.#editing = from !== undefined;
  }
  /** value: a rule id (uint32). Returns false when the same (name, wildcard) was already added (first one wins). */
  add(name: string, wildcard: boolean, value: number): boolean {
    const table = this.#table;
    if (table === null) throw new Error('NameIndexBuilder.add: called after build()');
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new TypeError(`NameIndexBuilder.add: value ${String(value)}, expected an integer from 0 to 4294967295`);
    const labels = countLabels(name);
    if (labels === 0) {
      if ((wildcard ? this.#rootWild : this.#rootExact) >= 0) return false;
      if (wildcard) this.#rootWild = value;
      else this.#rootExact = value;
    } else {
      const slot = insert(table, name, labels);
      const flag = wildcard ? WILD : EXACT;
      if ((flagsOf(table, slot) & flag) !== 0) return false;
      addFlag(table, slot, flag);
      (wildcard ? table.wild : table.exact)[slot] = value;
    }
    if (wildcard) this.#wildcard++;
    else this.#exact++;
    return true;
  }

  /**
   * Removes the rule of (name, wildcard), and the nodes it leaves empty.
   * Returns false when there is none, or when an ancestor has too many
   * children to count (name-table.ts MAX_CHILDREN; build the index anew).
   */
  remove(name: string, wildcard: boolean): boolean {
    const table = this.#table;
    if (table === null) throw new Error('NameIndexBuilder.remove: called after build()');
    if (countLabels(name) === 0) {
      if ((wildcard ? this.#rootWild : this.#rootExact) < 0) return false;
      if (wildcard) this.#rootWild = -1;
      else this.#rootExact = -1;
    } else {
      const slot = findName(table, name);
      const flag = wildcard ? WILD : EXACT;
      if (slot < 0 || (flagsOf(table, slot) & flag) === 0 || !removeFlag(table, slot, flag)) return false;
    }
    if (wildcard) this.#wildcard--;
    else this.#exact--;
    return true;
  }

  /** The index; the builder cannot be used afterwards. */
  build(): NameIndex {
    if (this.#table === null) throw new Error('NameIndexBuilder.build: called twice');
    const table = !this.#editing || this.#table.dead > this.#table.nodes / 4 ? pack(this.#table) : this.#table;
    this.#table = null;
    return new NameIndex({ table, rootExact: this.#rootExact, rootWild: this.#rootWild, exact: this.#exact, wildcard: this.#wildcard });
  }
}

/** The slot of the node of a canonical name (not ""), -1 if it has none. */
function findName(table: NameTable, name: string): number {
  let node = -1;
  let labelEnd = name.length;
  let hash = FNV_OFFSET;
  for (let i = name.length - 1; i >= -1; i--) {
    const c = i >= 0 ? name.charCodeAt(i) : DOT;
    if (c === DOT) {
      node = find(table, finish(hash), name, i + 1, labelEnd, node);
      if (node < 0) return -1;
      labelEnd = i;
    }
    hash = step(hash, c);
  }
  return node;
}

/**
 * Labels in a canonical name (0 for ""); throws on anything else, so a bad
 * name fails at load time, never at lookup. Characters outside 0x21-0x7e and
 * upper case are escaped or folded in canonical names, so they signal a caller bug.
 */
function countLabels(name: string): number {
  const length = name.length;
  if (typeof name !== 'string' || length > 0xffff) badName(name);
  if (length === 0) return 0;
  let labels = 1;
  let previous = DOT;
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i);
    if (c === DOT) {
      if (previous === DOT) badName(name);
      labels++;
    } else if (c <= 0x20 || c >= 0x7f || (c >= 0x41 && c <= 0x5a)) badName(name);
    previous = c;
  }
  if (previous === DOT) badName(name);
  return labels;
}

function badName(name: unknown): never {
  throw new TypeError(
    `NameIndexBuilder.add: name ${JSON.stringify(name)}, expected a canonical name: lower-case printable ASCII (other octets as \\DDD), no empty label, no trailing dot`,
  );
}
