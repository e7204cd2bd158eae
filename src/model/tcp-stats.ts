/** Why the server closed or turned away a TCP connection; each reason is counted for /metrics. */
export const TCP_CLOSE_REASONS = [
  'idle',
  'message-timeout',
  'write-timeout',
  'queued-bytes-total',
  'max-connections-evicted',
  'max-connections-refused',
  'per-client-evicted',
  'per-client-refused',
] as const;
export type TcpCloseReason = (typeof TCP_CLOSE_REASONS)[number];

/** What /metrics reads: open connections, answer bytes waiting to be sent (now and at most), closes by reason. */
export interface TcpStats {
  readonly open: number;
  readonly queuedBytes: number;
  readonly queuedBytesPeak: number;
  readonly closed: Readonly<Record<TcpCloseReason, number>>;
}
