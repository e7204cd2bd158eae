import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';
import { fetchFeed } from './url-fetch.js';
import { refreshFromPrimaries } from './zone-transfer/secondary.js';
import type { TouchedLines } from './zone-transfer/zone-copy.js';
import type { TsigKey } from './zone-transfer/tsig-key.js';
import type { TransferStatus } from '../model/zone-status.js';

export type ZoneConfig = Config['policy']['zones'][number];

/** Where a zone comes from. */
export type SourceKind = 'file' | 'url' | 'primaries';

export function sourceKind(config: ZoneConfig): SourceKind {
  return config.file !== undefined ? 'file' : config.url !== undefined ? 'url' : 'primaries';
}

/** The file a zone is loaded from: its own file, or its last-good copy in the state directory. */
export function zonePath(config: ZoneConfig, stateDir: string): string {
  if (config.file !== undefined) return config.file;
  const safe = config.name.replace(/\.$/, '').replace(/[^A-Za-z0-9._-]/g, '_');
  return join(stateDir, `${safe}.${config.format === 'rpz' ? 'rpz' : 'txt'}`);
}

/** What bringing a source up to date found: whether the zone must be loaded again, and how it was fetched. */
export interface SourceUpdate {
  readonly changed: boolean;
  readonly transfer: TransferStatus | null;
  /** Why an IXFR fell back to AXFR, when it did. */
  readonly note?: string;
}

/** A new version of a last-good copy, written beside it, that replaces it only by `commit` once it has loaded. */
export interface StagedCopy {
  /** Where the new version is: stagedPath of the copy. */
  readonly path: string;
  /** Renames it over the copy and writes the copy's meta file. */
  commit(): Promise<void>;
}

/** A SourceUpdate, with an IXFR's changes as the copy shows them and the new version of the copy (these stay in the thread that made them). */
export interface SourceChange {
  readonly update: SourceUpdate;
  readonly touched?: TouchedLines;
  readonly staged?: StagedCopy;
}

/**
 * Where a new version of the copy at `path` waits until it has loaded. It
 * stays there after a version that does not load (the error names it, file
 * and line), until the next attempt writes over it.
 */
export function stagedPath(path: string): string {
  return `${path}.new`;
}

/**
 * Brings a zone's source up to date. A file is read as it is; a URL is
 * downloaded, when it changed, beside the copy (stagedPath); a zone with
 * primaries is checked by SOA serial and, when newer than `heldSerial` (the
 * serial in force, null when none), transferred beside the copy. The copy
 * itself is replaced only by `staged.commit()`, which the caller runs once the
 * new version has loaded: a version that does not load never costs the last
 * good one. Rejects with the reason; the copy is then untouched. `signal`
 * stops a download (shutdown).
 */
export async function updateSource(config: ZoneConfig, path: string, heldSerial: number | null, key: TsigKey | undefined, signal?: AbortSignal): Promise<SourceChange> {
  switch (sourceKind(config)) {
    case 'file':
      return { update: { changed: true, transfer: null } };
    case 'url': {
      const started = Date.now();
      const fetched = await fetchFeed(config.url!, path, stagedPath(path), config.download, signal);
      const update = { changed: fetched.changed, transfer: { kind: fetched.changed ? 'download' : 'not-modified', from: config.url!, bytes: fetched.bytes, ms: Date.now() - started } } as const;
      return fetched.meta === undefined ? { update } : { update, staged: staging(path, fetched.meta) };
    }
    case 'primaries': {
      const options = {
        zone: config.name,
        primaries: config.primaries!,
        timeoutMs: config.transfer.timeoutSeconds * 1000,
        maxBytes: config.transfer.maxBytes,
        ...(key !== undefined && { key }),
      };
      const outcome = await refreshFromPrimaries(options, path, heldSerial, stagedPath(path));
      const meta: CopyMeta = { serial: outcome.serial, primary: outcome.primary, confirmed: Date.now() };
      const update = {
        changed: outcome.kind !== 'up-to-date',
        transfer: { kind: outcome.kind, from: outcome.primary, bytes: outcome.bytes, ms: outcome.ms },
        ...(outcome.ixfrFallback !== undefined && { note: outcome.ixfrFallback }),
      };
      if (!update.changed) {
        await writeFileAtomic(`${path}.meta.json`, JSON.stringify(meta)); // the copy in force was confirmed
        return { update };
      }
      const staged = staging(path, JSON.stringify(meta));
      return outcome.touched === undefined ? { update, staged } : { update, touched: outcome.touched, staged };
    }
  }
}

function staging(path: string, meta: string): StagedCopy {
  const staged = stagedPath(path);
  return {
    path: staged,
    commit: async () => {
      await rename(staged, path);
      await writeFileAtomic(`${path}.meta.json`, meta);
    },
  };
}

/** Kept beside a transferred copy: when a primary last confirmed it (the SOA expire timer counts from there). */
export interface CopyMeta {
  readonly serial: number;
  readonly primary: string;
  readonly confirmed: number;
}

export function readCopyMeta(path: string): Promise<CopyMeta | null> {
  return readJsonFile<CopyMeta>(`${path}.meta.json`);
}
