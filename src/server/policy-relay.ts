import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { forThread, type ThreadData } from '../config/cross-thread.js';
import type { PolicyHolder } from '../rpz/policy-holder.js';
import type { PolicySet } from '../rpz/policy-set.js';
import type { PolicyZone, PolicyZoneData } from '../rpz/policy-zone.js';
import type { ClientGroups } from './client-groups.js';

/** A policy set as posted: each zone by an id, its data only to a worker that does not hold that version yet. */
export interface PolicyMessage {
  readonly kind: 'policy';
  readonly zones: ReadonlyArray<{ readonly id: number; readonly data?: PolicyZoneData; readonly settings: ThreadData }>;
  readonly missingRequired: readonly string[];
}

/** Client groups as posted (a SIGHUP's): they apply with the policy set posted after them. */
export interface GroupsMessage {
  readonly kind: 'groups';
  readonly groups: ThreadData;
  readonly setOf: readonly number[];
}

/**
 * What a worker starts from: its port, on which the groups and the policy set in force wait as the first two
 * messages (not in workerData, which a worker keeps for its whole life: the zone version in it would never be
 * freed), the generation those are, and the shared counter of later ones.
 */
export interface RelayStart {
  /** One Int32: policy sets posted so far. */
  readonly generation: Int32Array;
  readonly port: MessagePort;
  readonly applied: number;
}

/** One worker's end of the relay. */
interface Link {
  readonly port: MessagePort;
  /** The zone versions (ids) the worker holds: those of the last set posted to it. */
  has: ReadonlySet<number>;
  readonly nudge: () => void;
}

/**
 * Puts each policy set and client groups the main thread holds in force in every worker thread, atomically
 * (issue 21): a set is posted on each worker's own port, then the shared generation counter is raised. A
 * worker compares the counter with what it has applied before it decodes each query (one atomic read) and,
 * when behind, takes the waiting messages synchronously (receiveMessageOnPort), so every query any worker
 * decodes after `replace` returned sees the new set; a nudge makes an idle worker apply it too (and free the
 * old one). Zone data travel once per version and worker; their big arrays are SharedArrayBuffers, shared,
 * never copied.
 */
export class PolicyRelay {
  readonly #generation = new Int32Array(new SharedArrayBuffer(4));
  readonly #links = new Set<Link>();
  readonly #ids = new WeakMap<PolicyZone, number>();
  #nextId = 1;
  #set: PolicySet;
  #groups: ClientGroups;

  constructor(holder: PolicyHolder, groups: ClientGroups) {
    this.#set = holder.current();
    this.#groups = groups;
    holder.watch((set) => this.#publish(set));
  }

  /** Policy sets posted so far. */
  get generation(): number {
    return Atomics.load(this.#generation, 0);
  }

  /** A new worker's start, with `nudge` to wake it when a set is posted; `detach` when it is gone. */
  attach(nudge: () => void): { start: RelayStart; detach: () => void } {
    const { port1, port2 } = new MessageChannel();
    const link: Link = { port: port1, has: new Set(), nudge };
    port1.postMessage(groupsMessage(this.#groups));
    port1.postMessage(this.#message(this.#set, link));
    this.#links.add(link);
    const start: RelayStart = { generation: this.#generation, port: port2, applied: this.generation };
    return {
      start,
      detach: () => {
        this.#links.delete(link);
        port1.close();
      },
    };
  }

  /**
   * Puts `groups` in force with the policy set `publish` puts in the holder (a SIGHUP: new groups and the
   * zones' new groups lists), both in one step for every worker: the groups are posted first and take
   * effect with that set. When `publish` puts no set in force, the one in force is posted again.
   */
  regroup(groups: ClientGroups, publish: () => void): void {
    this.#groups = groups;
    const message = groupsMessage(groups);
    for (const link of this.#links) link.port.postMessage(message);
    const before = this.generation;
    publish();
    if (this.generation === before) this.#publish(this.#set);
  }

  #publish(set: PolicySet): void {
    this.#set = set;
    for (const link of this.#links) link.port.postMessage(this.#message(set, link));
    Atomics.add(this.#generation, 0, 1);
    for (const link of this.#links) link.nudge();
  }

  #message(set: PolicySet, link: Link): PolicyMessage {
    const zones = set.zones.map(({ zone, settings }) => {
      const id = this.#idOf(zone);
      return { id, ...(!link.has.has(id) && { data: zone.toData() }), settings: forThread(settings) };
    });
    link.has = new Set(zones.map((zone) => zone.id));
    return { kind: 'policy', zones, missingRequired: set.missingRequired };
  }

  #idOf(zone: PolicyZone): number {
    let id = this.#ids.get(zone);
    if (id === undefined) this.#ids.set(zone, (id = this.#nextId++));
    return id;
  }
}

function groupsMessage(groups: ClientGroups): GroupsMessage {
  return { kind: 'groups', groups: forThread(groups.configs), setOf: groups.upstreamSetOf };
}
