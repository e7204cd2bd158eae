/** Weekly schedules with days off, in an IANA time zone: the piece of issue 19 that says when a zone is in force. */
export { compileSchedule } from './compile-schedule.js';
export { HORIZON_MS, Schedule } from './schedule.js';
export { ScheduleError } from './schedule-error.js';
export type { DayName, ScheduleInput, WindowInput } from './schedule-input.js';
export { appliesAt, nextChangeOf, scheduleOf, secondsToChangeOf, type ZonePaused, type ZoneWhen } from './zone-when.js';
