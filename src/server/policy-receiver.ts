import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { fromThread } from '../config/cross-thread.js';
import type { GroupConfig } from '../config/schema.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import { PolicySet, type ZoneSettings } from '../rpz/policy-set.js';
import { PolicyZone } from '../rpz/policy-zone.js';
import type { OldVersions } from '../sources/old-versions.js';
import { ClientGroups } from './client-groups.js';
import type { GroupsMessage, PolicyMessage, RelayStart } from './policy-relay.js';

/**
 * A worker thread's end of the PolicyRelay: the policy set and client groups in force in this thread.
 * `catchUp` runs before each query is decoded; when the main thread has posted newer ones it applies them
 * at once, in order, so this thread never answers from an older policy than the main thread holds.
 */
export class PolicyReceiver implements PolicySource {
  readonly #generation: Int32Array;
  readonly #port: MessagePort;
  readonly #applied: (generation: number) => void;
  readonly #oldVersions: OldVersions;
  #done: number;
  #set!: PolicySet;
  #groups!: ClientGroups;
  /** The zone versions of the set in force, by the relay's id. */
  #zones = new Map<number, PolicyZone>();

  /** `applied` hears each generation this thread has caught up to; `oldVersions` frees the zone versions it drops. */
  constructor(start: RelayStart, applied: (generation: number) => void, oldVersions: OldVersions) {
    this.#generation = start.generation;
    this.#port = start.port;
    this.#applied = applied;
    this.#oldVersions = oldVersions;
    this.#done = start.applied;
    // The groups and the set in force when this thread was started, posted before it was.
    for (let i = 0; i < 2; i++) this.#apply((receiveMessageOnPort(this.#port) as { message: GroupsMessage | PolicyMessage }).message);
  }

  current(): PolicySet {
    return this.#set;
  }

  /** The client groups in force. */
  get groups(): ClientGroups {
    return this.#groups;
  }

  /** Applies every set posted and not yet applied (one atomic read when there is none). */
  catchUp(): void {
    const target = Atomics.load(this.#generation, 0);
    if (this.#done === target) return;
    while (this.#done < target) {
      // Posted before the counter was raised, so here by now; undefined would mean the port is closed.
      const received = receiveMessageOnPort(this.#port) as { message: GroupsMessage | PolicyMessage } | undefined;
      if (received === undefined) break;
      this.#apply(received.message);
      if (received.message.kind === 'policy') this.#done++;
    }
    this.#applied(this.#done);
  }

  #apply(message: GroupsMessage | PolicyMessage): void {
    if (message.kind === 'groups') {
      this.#groups = new ClientGroups(fromThread<GroupConfig[]>(message.groups), message.setOf);
      return;
    }
    const schedules = new Map();
    const zones = new Map<number, PolicyZone>();
    const entries = message.zones.map(({ id, data, settings }) => {
      const zone = data === undefined ? this.#zones.get(id)! : PolicyZone.fromData(data);
      zones.set(id, zone);
      return { zone, settings: fromThread<ZoneSettings>(settings, schedules) };
    });
    for (const [id, zone] of this.#zones) if (!zones.has(id)) this.#oldVersions.replaced(zone);
    this.#zones = zones;
    this.#set = new PolicySet(entries, message.missingRequired);
  }
}
