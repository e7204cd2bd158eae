import type { ScheduleInput } from './schedule-input.js';
import { sweep, type SchedulePlan } from './schedule-sweep.js';
import { DAY_MS } from './zone-clock.js';

/** How far ahead `nextChange` looks: a schedule that keeps its value longer than this reports no change. */
export const HORIZON_MS = 400 * DAY_MS;

/**
 * A compiled schedule (make one with `compileSchedule`): in force inside its windows, out of force outside them
 * and on its days off. Every method takes the instant as an argument, so the caller's injected clock decides the
 * time. It keeps the stretch of time around the last instant asked, during which its value cannot change, so a
 * call inside that stretch costs two comparisons; leaving it (a boundary passed, or the clock set back) costs one
 * sweep of the coming days.
 */
export class Schedule {
  readonly #plan: SchedulePlan;
  #from = 0;
  #until = -Infinity;
  #inForce = false;
  #changes = false;

  /** Use `compileSchedule`, which checks the input; this trusts `plan`. */
  readonly name: string;
  readonly timeZone: string;
  /** The schedule as written in the config: compiled again where this object cannot go (another thread). */
  readonly input: ScheduleInput;
  constructor(input: ScheduleInput, plan: SchedulePlan) {
    this.name = input.name;
    this.timeZone = input.timeZone;
    this.input = input;
    this.#plan = plan;
  }

  /** Whether instant `nowMs` (ms since the epoch) is inside one of the windows, on a day not off. */
  inForce(nowMs: number): boolean {
    if (nowMs < this.#from || nowMs >= this.#until) this.#refresh(nowMs);
    return this.#inForce;
  }

  /**
   * The first instant after `nowMs` at which `inForce` changes value, exact to the millisecond (`inForce(c - 1)`
   * differs from `inForce(c)`), or null when it keeps its value for more than HORIZON_MS (400 days) from `nowMs`.
   */
  nextChange(nowMs: number): number | null {
    this.inForce(nowMs);
    if (!this.#changes && nowMs + HORIZON_MS >= this.#until) this.#refresh(nowMs);
    return this.#changes && this.#until - nowMs <= HORIZON_MS ? this.#until : null;
  }

  /**
   * Whole seconds from `nowMs` until the next change, rounded down so that an answer with this TTL expires no
   * later than the change (0: the change is less than a second away, so the answer must not be cached), or null
   * when there is no change within HORIZON_MS. The TTL cap for answers a schedule will soon change (issue 19).
   */
  secondsToNextChange(nowMs: number): number | null {
    const change = this.nextChange(nowMs);
    return change === null ? null : Math.floor((change - nowMs) / 1000);
  }

  /** Instant `ms` in this schedule's local time, as check output and logs show it: "2027-03-28 Sun 02:00 UTC+01:00". */
  describe(ms: number): string {
    return this.#plan.clock.describe(ms);
  }

  #refresh(nowMs: number): void {
    const stretch = sweep(this.#plan, nowMs);
    this.#from = nowMs;
    this.#until = stretch.until;
    this.#inForce = stretch.inForce;
    this.#changes = stretch.changes;
  }
}
