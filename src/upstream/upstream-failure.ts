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

/** An answer that matched the query but is not a well-formed message (see messageFault): a failure of that upstream. */
export class MalformedAnswer extends Error {
  override readonly name = 'MalformedAnswer';

  constructor(transport: 'udp' | 'tcp', fault: string) {
    super(`malformed answer over ${transport.toUpperCase()}: ${fault}`);
  }
}
