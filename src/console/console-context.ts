import type { Config } from '../config/schema.js';
import type { ClientGroup } from '../model/query.js';
import type { ZoneStatus } from '../model/zone-status.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import type { EventStore } from '../store/event-store.js';
import type { AuditLog } from './audit-log.js';
import type { PauseBook } from './pause-book.js';
import type { ZoneRules } from './zone-rules.js';

/** The client groups in force, as the console asks them (server/client-groups.ts's ClientGroups). */
export interface GroupLookup {
  /** Every group, "default" first. */
  readonly groups: readonly ClientGroup[];
  /** A client's group from its address alone; null when a group told by listeners could claim it. */
  byAddress(client: string): ClientGroup | null;
}

/** A file the console serves: its URL path, where it is on disk, its content type. */
export interface ConsoleFile {
  readonly url: string;
  readonly file: string;
  readonly type: string;
}

/** Everything the console's routes use of the running server; start-server.ts builds it. */
export interface ConsoleContext {
  readonly admin: Config['admin'];
  /** Whether the admin listener speaks HTTPS (cookies are then Secure, with the __Host- prefix). */
  readonly https: boolean;
  readonly policy: PolicySource;
  readonly zoneNames: () => readonly string[];
  readonly zoneStatus: () => readonly ZoneStatus[];
  /** The groups in force now (a reload replaces them). */
  readonly groups: () => GroupLookup;
  readonly rules: ZoneRules;
  readonly pauses: PauseBook;
  /** The event store; null when store.enabled is false (the event routes then answer 503). */
  readonly events: EventStore | null;
  readonly audit: AuditLog;
  /** The pages and their assets, served at fixed paths. */
  readonly files: readonly ConsoleFile[];
  readonly now: () => number;
}
