/** One try of one upstream that gave no usable answer. */
export interface UpstreamAttempt {
  readonly upstream: string;
  readonly error: string;
}

/** Every upstream failed (or none could be asked) before the deadline; the cache stage may then serve stale. */
export class UpstreamFailure extends Error {
  override readonly name = 'UpstreamFailure';
  readonly attempts: ReadonlyArray<UpstreamAttempt>;

  constructor(message: string, attempts: ReadonlyArray<UpstreamAttempt>) {
    const detail = attempts.map((a) => `${a.upstream}: ${a.error}`).join('; ');
    super(detail === '' ? message : `${message} (${detail})`);
    this.attempts = Object.freeze([...attempts]);
  }
}
