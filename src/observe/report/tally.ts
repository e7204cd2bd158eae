import { normalName } from './filters.js';
import { detach, HeavyHitters, type HeavyHitter } from './heavy-hitters.js';
import type { ReportEvent } from './parse-event.js';

/** A top list: the counted keys and whether the counts are exact. */
export interface TopList {
  readonly top: readonly HeavyHitter[];
  /** Distinct keys seen; a lower bound when not exact. */
  readonly distinct: number;
  /** False once the table overflowed: counts are then upper bounds, each at most `overcount` too high. */
  readonly exact: boolean;
}

/** What `stopzone report` prints, in every format. */
export interface ReportData {
  readonly totals: {
    readonly lines: number;
    readonly blocked: number;
    readonly wouldBlock: number;
    readonly passthru: number;
    /** Lines that were not block events. */
    readonly skipped: number;
    /** Events outside the filters. */
    readonly filteredOut: number;
  };
  /** The first and last time of the counted events (all three kinds). */
  readonly span: { readonly first: string; readonly last: string } | null;
  readonly names: TopList;
  readonly clients: TopList;
  /** Blocks and would-blocks per zone, most blocks first. */
  readonly zones: ReadonlyArray<{ readonly zone: string; readonly list: string; readonly blocked: number; readonly wouldBlock: number }>;
  /** Blocks and would-blocks per client group, most blocks first. */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly blocked: number; readonly wouldBlock: number }>;
  readonly actions: ReadonlyArray<{ readonly key: string; readonly count: number }>;
  readonly triggers: ReadonlyArray<{ readonly key: string; readonly count: number }>;
  /** Blocks per UTC hour (`2026-11-23T10:00Z`), in time order; hours without blocks are left out. */
  readonly hours: ReadonlyArray<{ readonly hour: string; readonly count: number }>;
  /** Problems reading the inputs (the report covers what was read). */
  readonly warnings: readonly string[];
}

/** Counts events into a ReportData: only "blocked" events feed the top lists and the per-action, per-trigger and per-hour counts. */
export class Tally {
  readonly #names: HeavyHitters;
  readonly #clients: HeavyHitters;
  readonly #top: number;
  readonly #zones = new Map<string, { list: string; blocked: number; wouldBlock: number }>();
  readonly #groups = new Map<string, { blocked: number; wouldBlock: number }>();
  readonly #actions = new Map<string, number>();
  readonly #triggers = new Map<string, number>();
  readonly #hours = new Map<string, number>();
  #lines = 0;
  #blocked = 0;
  #wouldBlock = 0;
  #passthru = 0;
  #filteredOut = 0;
  #first = '';
  #last = '';

  /** `top`: entries per top list; `capacity`: keys the name and client tables hold at most. */
  constructor(top = 10, capacity = 10_000) {
    this.#top = top;
    this.#names = new HeavyHitters(capacity);
    this.#clients = new HeavyHitters(capacity);
  }

  /** Counts a line read (event or not). */
  line(): void {
    this.#lines++;
  }

  /** Counts an event outside the filters. */
  filteredOut(): void {
    this.#filteredOut++;
  }

  /** Counts an event inside the filters. */
  add(event: ReportEvent): void {
    const { time } = event;
    if (this.#first === '' || time < this.#first) this.#first = detach(time);
    // The last time changes with nearly every event: kept as is, it holds at most one chunk of the input.
    if (time > this.#last) this.#last = time;
    if (event.msg === 'passthru') {
      this.#passthru++;
      return;
    }
    const zone = this.#zones.get(event.zone) ?? this.#newZone(event.zone);
    if (zone.list !== event.list) zone.list = detach(event.list);
    const group = this.#groups.get(event.group) ?? this.#newGroup(event.group);
    if (event.msg === 'would block') {
      this.#wouldBlock++;
      zone.wouldBlock++;
      group.wouldBlock++;
      return;
    }
    this.#blocked++;
    zone.blocked++;
    group.blocked++;
    this.#names.add(normalName(event.qname));
    this.#clients.add(event.client);
    bump(this.#actions, event.action);
    bump(this.#triggers, event.trigger);
    bump(this.#hours, time.slice(0, 13));
  }

  /** Events counted so far (all three kinds). */
  get events(): number {
    return this.#blocked + this.#wouldBlock + this.#passthru;
  }

  /** The report so far. */
  result(warnings: readonly string[] = []): ReportData {
    const events = this.events;
    return {
      totals: {
        lines: this.#lines,
        blocked: this.#blocked,
        wouldBlock: this.#wouldBlock,
        passthru: this.#passthru,
        skipped: this.#lines - events - this.#filteredOut,
        filteredOut: this.#filteredOut,
      },
      span: events === 0 ? null : { first: this.#first, last: this.#last },
      names: topList(this.#names, this.#top),
      clients: topList(this.#clients, this.#top),
      zones: [...this.#zones].map(([zone, z]) => ({ zone, ...z })).sort((a, b) => b.blocked - a.blocked || b.wouldBlock - a.wouldBlock || compare(a.zone, b.zone)),
      groups: [...this.#groups].map(([group, g]) => ({ group, ...g })).sort((a, b) => b.blocked - a.blocked || b.wouldBlock - a.wouldBlock || compare(a.group, b.group)),
      actions: counts(this.#actions),
      triggers: counts(this.#triggers),
      hours: [...this.#hours].map(([hour, count]) => ({ hour: `${hour}:00Z`, count })).sort((a, b) => compare(a.hour, b.hour)),
      warnings,
    };
  }

  #newGroup(name: string): { blocked: number; wouldBlock: number } {
    const group = { blocked: 0, wouldBlock: 0 };
    this.#groups.set(detach(name), group);
    return group;
  }

  #newZone(name: string): { list: string; blocked: number; wouldBlock: number } {
    const zone = { list: '', blocked: 0, wouldBlock: 0 };
    this.#zones.set(detach(name), zone);
    return zone;
  }
}

/** Counts `key`, copying it when new (see detach). */
function bump(map: Map<string, number>, key: string): void {
  const count = map.get(key);
  map.set(count === undefined ? detach(key) : key, (count ?? 0) + 1);
}

function counts(map: Map<string, number>): Array<{ key: string; count: number }> {
  return [...map].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || compare(a.key, b.key));
}

function topList(table: HeavyHitters, n: number): TopList {
  return { top: table.top(n), distinct: table.distinct, exact: !table.overflowed };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
