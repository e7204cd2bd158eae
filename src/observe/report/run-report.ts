import { compileFilter, type ReportFilters } from './filters.js';
import { parseEventLine } from './parse-event.js';
import { readLines, type LineSource } from './read-lines.js';
import { Tally, type ReportData } from './tally.js';

/** How far a report has come, for a progress line. */
export interface ReportProgress {
  readonly source: string;
  readonly lines: number;
  /** Bytes read so far, over all sources (compressed, for gzip). */
  readonly bytes: number;
}

export interface ReportOptions {
  readonly filters?: ReportFilters;
  /** Entries per top list (default 10). */
  readonly top?: number;
  /** Keys held for the top names and clients (default 10,000): the memory bound. */
  readonly capacity?: number;
  /** Called every 65,536 lines and at the end of each source. */
  readonly onProgress?: (progress: ReportProgress) => void;
}

/**
 * Reads the block-log sources in turn and counts them. An unreadable source
 * (missing file, corrupt gzip) becomes a warning in the result, and the
 * report covers what was read: a log being rotated still gives a report.
 */
export async function runReport(sources: readonly LineSource[], options: ReportOptions = {}): Promise<ReportData> {
  const tally = new Tally(options.top ?? 10, options.capacity ?? 10_000);
  const filter = compileFilter(options.filters ?? {});
  const warnings: string[] = [];
  const onProgress = options.onProgress;
  let bytes = 0;
  let lines = 0;
  for (const source of sources) {
    const start = lines;
    const onLine = (line: string): void => {
      tally.line();
      if ((++lines & 0xffff) === 0 && onProgress !== undefined) onProgress({ source: source.name, lines, bytes });
      const event = parseEventLine(line);
      if (event === undefined) return;
      if (filter === undefined || filter(event)) tally.add(event);
      else tally.filteredOut();
    };
    try {
      await readLines(source, onLine, (n) => (bytes += n));
    } catch (error) {
      warnings.push(`${source.name}: ${describe(error)}; the report counts the ${lines - start} lines read from it before that`);
    }
    onProgress?.({ source: source.name, lines, bytes });
  }
  return tally.result(warnings);
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'Z_BUF_ERROR') return 'gzip data ends early (truncated, or still being written?)';
  if (code === 'Z_DATA_ERROR') return 'corrupt gzip data';
  return error instanceof Error ? error.message : String(error);
}
