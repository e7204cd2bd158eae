/**
 * A schedule that cannot be used: the key path inside the schedule (`windows.0.from`), the value found and what
 * is expected. The config loader prefixes the path with `schedules.<name>` and adds file and line, as it does for
 * its own checks.
 */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';

  readonly path: readonly string[];
  readonly value: unknown;
  readonly expected: string;
  constructor(path: readonly string[], value: unknown, expected: string) {
    super(`${path.join('.')}: found ${value === undefined ? 'nothing' : JSON.stringify(value)}; expected ${expected}`);
    this.path = path;
    this.value = value;
    this.expected = expected;
  }
}
