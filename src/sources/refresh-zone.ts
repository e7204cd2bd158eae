import type { DeltaBase, PolicyZone, ZoneEdit } from '../rpz/policy-zone.js';
import { editByDelta } from './ixfr-delta.js';
import { loadZoneSource } from './load-source.js';
import { updateSource, type SourceUpdate, type ZoneConfig } from './zone-source.js';
import type { TouchedLines } from './zone-transfer/zone-copy.js';
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
  /** The zone in force, for an IXFR to change in place (PolicyZone.deltaBase). */
  readonly base?: DeltaBase;
}

/**
 * What the attempt found (null when the source was not asked), and the new
 * version: a whole zone, or an edit of the zone in force (`base`) by an IXFR;
 * neither when there is nothing to swap in.
 */
export interface RefreshResult<Zone = PolicyZone> {
  readonly update: SourceUpdate | null;
  readonly zone: Zone | null;
  readonly edit?: ZoneEdit;
  /** Why an IXFR was compiled whole rather than applied to the zone in force. */
  readonly wholeBecause?: string;
}

/**
 * Asks the zone's source for what changed (a download, a transfer applied to
 * the copy, both written beside the copy), then applies an IXFR to the zone
 * in force when it can (zone-delta.ts), and compiles the new version whole
 * otherwise. Only a version that has loaded replaces the last-good copy.
 * Rejects with the reason (file:line for a zone that cannot be read); the
 * copy is then as it was.
 */
export async function refreshZone(job: RefreshJob): Promise<RefreshResult> {
  if (job.copyOnly === true) return { update: null, zone: await loadZoneSource(job.config, job.path) };
  const { update, touched, staged } = await updateSource(job.config, job.path, job.held, job.key);
  if (!update.changed && job.held !== null) return { update, zone: null };
  const result = await loadChange(job, update, touched, staged?.path ?? job.path);
  await staged?.commit();
  return result;
}

/** The new version at `path`: the zone in force edited by the IXFR's `touched` lines, or the zone compiled whole. */
async function loadChange(job: RefreshJob, update: SourceUpdate, touched: TouchedLines | undefined, path: string): Promise<RefreshResult> {
  if (touched === undefined || job.base === undefined) return { update, zone: await loadZoneSource(job.config, path) };
  const outcome = await editByDelta(job.base, job.config.name, touched, `${path} (IXFR)`, job.config.maxLineLength);
  if ('edit' in outcome) return { update, zone: null, edit: outcome.edit };
  return { update, zone: await loadZoneSource(job.config, path), wholeBecause: outcome.rebuild };
}
