/** The last transfer or download, for the logs and /metrics. */
export interface TransferStatus {
  /** axfr, ixfr, up-to-date (a SOA check or IXFR found nothing new), download, not-modified (HTTP 304). */
  readonly kind: 'axfr' | 'ixfr' | 'up-to-date' | 'download' | 'not-modified';
  /** The primary or URL that answered. */
  readonly from: string;
  readonly bytes: number;
  readonly ms: number;
}

/** What /metrics and the logs say about one zone's source. */
export interface ZoneStatus {
  readonly name: string;
  readonly kind: 'file' | 'url' | 'primaries';
  /** The file, the URL, or the primaries. */
  readonly source: string;
  /** Where the zone is read from: the file itself, or the last-good copy. */
  readonly file: string;
  readonly format: string;
  readonly serial: string | null;
  readonly rules: number;
  readonly lastAttempt: number | null;
  readonly lastSuccess: number | null;
  readonly lastError: string | null;
  /** The last transfer or download that succeeded. */
  readonly lastTransfer: TransferStatus | null;
  /** When the next refresh is due (url and primaries zones). */
  readonly nextAttempt: number | null;
  /** Past the SOA expire time with no primary reachable (the zone stays in force unless whenExpired is drop). */
  readonly expired: boolean;
}
