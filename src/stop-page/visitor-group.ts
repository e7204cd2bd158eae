import type { ClientGroup } from '../model/query.js';
import type { RecentStopPageNames } from './recent-stop-page-names.js';

/** What the stop page needs of the client groups in force (server/client-groups.ts has them). */
export interface VisitorGroups {
  /** Every group, "default" first, by index. */
  readonly groups: readonly ClientGroup[];
  /** The group a client address alone decides; null when a group told by the DNS listener could claim it. */
  byAddress(client: string): ClientGroup | null;
}

/**
 * The client group of a stop page visitor (its TCP peer `client`, already unmapped from IPv4-mapped IPv6) who
 * asks for `host`: the group DNS saw when it sent this client to the stop page for this name (recent), which
 * covers groups told by the DNS listener; else the group the address alone decides; null when neither can tell
 * (the page then looks at every zone, as it does without groups).
 */
export function visitorGroup(groups: VisitorGroups | undefined, recent: RecentStopPageNames | undefined, client: string, host: string): ClientGroup | null {
  if (groups === undefined) return null;
  const seen = recent?.groupOf(client, host);
  const remembered = seen === undefined ? undefined : groups.groups.find((group) => group.name === seen);
  return remembered ?? groups.byAddress(client);
}
