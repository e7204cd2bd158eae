import type { PolicyZone } from '../rpz/policy-zone.js';
import { loadZoneSource } from './load-source.js';
import { updateSource, type SourceUpdate, type ZoneConfig } from './zone-source.js';
import type { TsigKey } from './zone-transfer/tsig-key.js';

/** One attempt to bring a zone up to date: plain data, so that a worker thread can run it. */
export interface RefreshJob {
  readonly config: ZoneConfig;
  /** The zone file, or the last-good copy of a downloaded or transferred zone. */
  readonly path: string;
  /** The serial in force; null when no version is in force (the zone is then loaded even if its source has not changed). */
  readonly held: number | null;
  readonly key?: TsigKey;
  /** Load what is at `path` without asking the source (a last-good copy at start-up). */
  readonly copyOnly?: boolean;
}

/** What the attempt found (null when the source was not asked), and the new version (null when there is none to swap in). */
export interface RefreshResult {
  readonly update: SourceUpdate | null;
  readonly zone: PolicyZone | null;
}

/**
 * Asks the zone's source for what changed (a download, a transfer applied to
 * the copy), then compiles the new version. Rejects with the reason (file:line
 * for a zone that cannot be read); the copy is then as it was.
 */
export async function refreshZone(job: RefreshJob): Promise<RefreshResult> {
  const update = job.copyOnly === true ? null : await updateSource(job.config, job.path, job.held, job.key);
  if (update !== null && !update.changed && job.held !== null) return { update, zone: null };
  return { update, zone: await loadZoneSource(job.config, job.path) };
}
