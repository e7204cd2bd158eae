import type { Edns, Question } from '../dns/types.js';
import type { PolicyHit } from '../rpz/policy-set.js';

export type Transport = 'udp' | 'tcp';

/** Where a packet came from and arrived. */
export interface PacketMeta {
  readonly client: { readonly address: string; readonly port: number };
  readonly transport: Transport;
  readonly listener: string;
}

/**
 * The client group a query's client belongs to: its name, its index in the config's groups (0: "default"),
 * and the set of upstreams its queries go to (server/upstream-sets.ts; 0: the top-level upstreams). A query
 * keeps the group it was decoded with, so a reload of the groups never splits one.
 */
export interface ClientGroup {
  readonly name: string;
  readonly index: number;
  readonly upstreamSet: number;
  /** Whether the config defines groups besides "default": only then does what the client sees (EDE text, stop page) name the group. */
  readonly grouped: boolean;
}

/** One client query, decoded once at the listener and read-only from then on. */
export interface Query {
  /** The message exactly as received. Never mutated. */
  readonly raw: Buffer;
  readonly id: number;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Checking disabled (RFC 4035). */
  readonly cd: boolean;
  readonly question: Question;
  /** Offset in `raw` just past the question section. */
  readonly questionEnd: number;
  readonly edns: Edns | null;
  readonly client: { readonly address: string; readonly port: number };
  readonly transport: Transport;
  /** The local address and port the query arrived on, as "127.0.0.1:5353". */
  readonly listener: string;
  /** The client's group, found once per query at decode (server/client-groups.ts); left out, "default". */
  readonly group?: ClientGroup;
}

/** Where an answer came from; logs, metrics and EDE are derived from it. */
export type AnswerSource = 'upstream' | 'cache' | 'stale' | 'policy' | 'local';

/** The outcome of the pipeline for one query. */
export interface Answer {
  /**
   * The answer message without an OPT record: the finisher sets ID, flags and
   * the question's letter case, adds the client's OPT and truncates. The buffer
   * belongs to this answer alone and may be patched in place. Null: send nothing.
   */
  readonly message: Buffer | null;
  readonly source: AnswerSource;
  /** The RCODE in `message` (for logs and metrics without re-reading it). */
  readonly rcode: number;
  /** Which upstream answered, for source "upstream". */
  readonly upstream?: string;
  /** The policy rule that decided this answer (PASSTHRU included); the block log and EDE derive from it. */
  readonly policy?: PolicyHit;
  /** Rules of zones with policy "disabled" that would have fired. */
  readonly wouldHave?: readonly PolicyHit[];
  /** Why a local answer refused the question, as an Extended DNS Error (RFC 8914); policy answers derive theirs from `policy`. */
  readonly ede?: { readonly code: number; readonly text: string };
}

/** Whatever comes after a stage: the answer now when it is known at once (a cache hit), else its promise. */
export type Next = (query: Query) => Answer | Promise<Answer>;

/**
 * A pipeline stage: answers the query itself or calls `next`, never both. It returns its answer as it stands
 * when it has it (no `async`: a stage that answers at once must not wrap it in a promise), and `next`'s
 * result as it is when it passes the query on; only a stage that waits on something returns a promise.
 */
export type Stage = (query: Query, next: Next) => Answer | Promise<Answer>;
