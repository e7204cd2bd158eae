const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+)([mhdw])$/;
const ABSOLUTE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A `--since`/`--until` bound in epoch ms: `24h`, `30m`, `7d`, `2w` (that long
 * before `now`), a date (`2026-11-23`) or a time (`2026-11-23T08:00`,
 * `2026-11-23 08:00:30Z`, `...+01:00`). Times without an offset are UTC, as the
 * log's are. With `endOfDay`, a bare date means the end of that day (for
 * `--until`). Throws an error naming the expected forms.
 */
export function parseTimeBound(text: string, now: number, endOfDay = false): number {
  const relative = RELATIVE.exec(text);
  if (relative !== null) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  const absolute = ABSOLUTE.exec(text.trim());
  const ms = absolute === null ? NaN : Date.parse(`${absolute[1]}T${absolute[2] ?? '00:00'}${offset(absolute[3])}`);
  if (Number.isNaN(ms)) {
    throw new Error(`"${text}" is not a time; expected 24h, 30m, 7d or 2w (before now), a date like 2026-11-23 or a UTC time like 2026-11-23T08:00`);
  }
  return absolute![2] === undefined && endOfDay ? ms + UNITS.d! : ms;
}

function offset(zone: string | undefined): string {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/**
 * A log time as pino's isoTime writes it (`2026-11-23T10:15:02.123Z`), which
 * sorts as text. Other forms (epoch ms from pino's default clock, other ISO
 * strings) are converted; undefined when it is not a time.
 */
export function canonicalTime(time: string | number): string | undefined {
  if (typeof time === 'string' && time.length === 24 && time.charCodeAt(23) === 90 /* Z */ && time.charCodeAt(10) === 84 /* T */) return time;
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  const iso = new Date(ms).toISOString();
  return iso.length === 24 ? iso : undefined;
}
