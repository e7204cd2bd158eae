import type { Config } from '../config/schema.js';
import { appliesAt, scheduleOf } from '../schedule/index.js';
import { CheckUsageError } from './check.js';

/**
 * `stopzone check --config`'s group section (issue 19 item 7): per client group ("default" first), the zones in
 * force at `nowMs` in the configured order, those not in force now, and the next instant a schedule changes that
 * (in the schedule's own time zone, as Schedule.describe shows it) with the zones that start or stop then. Empty
 * when the config has no groups and no zone limited to some groups.
 */
export function groupLines(config: Pick<Config, 'groups' | 'policy'>, nowMs: number): string[] {
  const zones = config.policy.zones;
  const scoped = zones.some((zone) => zone.groups.some((when) => when !== 'always'));
  if (config.groups.length <= 1 && !scoped) return [];
  const lines = [`client groups at ${new Date(nowMs).toISOString()}:`];
  config.groups.forEach((group, g) => {
    const rules = zones.map((zone) => zone.groups[g] ?? 'always');
    const now = zones.filter((_, i) => appliesAt(rules[i]!, nowMs)).map((zone) => zone.name);
    const off = zones.filter((_, i) => !appliesAt(rules[i]!, nowMs)).map((zone) => zone.name);
    lines.push(`  ${group.name}: ${now.length === 0 ? 'no zone' : now.join(', ')}${off.length === 0 ? '' : `; not now: ${off.join(', ')}`}`);
    let next = Infinity;
    for (const when of rules) next = Math.min(next, scheduleOf(when)?.nextChange(nowMs) ?? Infinity);
    if (next === Infinity) {
      const timed = rules.some((when) => scheduleOf(when) !== null);
      lines.push(`    next change: none${timed ? ' within 400 days' : ' (no zone on a schedule for this group)'}`);
      return;
    }
    const changing = zones.flatMap((zone, i) => {
      const schedule = scheduleOf(rules[i]!);
      if (schedule === null || schedule.nextChange(nowMs) !== next) return [];
      return [{ schedule, text: `${zone.name} ${appliesAt(rules[i]!, nowMs) ? 'stops' : 'starts'}` }];
    });
    const schedules = [...new Set(changing.map((c) => c.schedule))];
    lines.push(`    next change: ${schedules[0]!.describe(next)} (schedule ${schedules.map((s) => s.name).join(', ')}): ${changing.map((c) => c.text).join(', ')}`);
  });
  return lines;
}

/** `--at TIME` for check: an ISO 8601 time with an offset or Z (a time without one would depend on the machine's zone). */
export function parseCheckInstant(text: string): number {
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new CheckUsageError(`--at "${text}": expected an ISO 8601 time with an offset, e.g. 2026-11-23T10:00:00Z or 2026-11-23T10:00+01:00`);
  return ms;
}
