import { compileSchedule, Schedule } from '../schedule/index.js';
import type { ScheduleInput } from '../schedule/schedule-input.js';
import { Endpoint, Network } from './address.js';
import type { Config } from './schema.js';

/**
 * A config value as it crosses to a worker thread. Structured clone keeps plain data but drops classes, so the
 * three classes a parsed config holds travel as tagged plain data: an Endpoint or a Network as its fields, a
 * Schedule as the input it was compiled from (compiled again on arrival: it holds a time zone clock).
 */
export type ThreadData = unknown;

type Tagged =
  | { readonly $endpoint: { host: string; port: number; family: 4 | 6; label: string } }
  | { readonly $network: { address: string; bits: number; family: 4 | 6; label: string } }
  | { readonly $schedule: ScheduleInput };

/** `value` (a Config, or any part of one, such as a zone's settings) ready for postMessage. */
export function forThread(value: unknown): ThreadData {
  if (value instanceof Endpoint) return { $endpoint: { host: value.host, port: value.port, family: value.family, label: value.label } } satisfies Tagged;
  if (value instanceof Network) return { $network: { address: value.address, bits: value.bits, family: value.family, label: value.label } } satisfies Tagged;
  if (value instanceof Schedule) return { $schedule: value.input } satisfies Tagged;
  if (Array.isArray(value)) return value.map(forThread);
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, forThread(child)]));
  }
  return value;
}

/**
 * The value `forThread` was given, rebuilt on the other side. Schedules of the same name come back as one
 * object, as they were one in the config (`schedules` compiled for one call are shared by what it rebuilds).
 */
export function fromThread<T>(data: ThreadData, schedules = new Map<string, Schedule>()): T {
  return revive(data, schedules) as T;
}

/** A Config from `forThread(config)`. */
export function configFromThread(data: ThreadData): Config {
  return fromThread<Config>(data);
}

function revive(data: unknown, schedules: Map<string, Schedule>): unknown {
  if (Array.isArray(data)) return data.map((child) => revive(child, schedules));
  if (typeof data !== 'object' || data === null || ArrayBuffer.isView(data)) return data;
  if ('$endpoint' in data) {
    const { host, port, family, label } = (data as Extract<Tagged, { $endpoint: unknown }>).$endpoint;
    return new Endpoint(host, port, family, label);
  }
  if ('$network' in data) {
    const { address, bits, family, label } = (data as Extract<Tagged, { $network: unknown }>).$network;
    return new Network(address, bits, family, label);
  }
  if ('$schedule' in data) {
    const input = (data as Extract<Tagged, { $schedule: unknown }>).$schedule;
    let schedule = schedules.get(input.name);
    if (schedule === undefined) schedules.set(input.name, (schedule = compileSchedule(input)));
    return schedule;
  }
  return Object.fromEntries(Object.entries(data).map(([key, child]) => [key, revive(child, schedules)]));
}
