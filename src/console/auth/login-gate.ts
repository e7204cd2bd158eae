/**
 * Password checks in progress at most, across all clients: each scrypt check takes some 32 MiB and a few
 * hundred milliseconds of CPU, so logins from many addresses at once (each within its own rate limit)
 * must not take every core from DNS. One at a time; a login that finds the gate busy is refused (429).
 */
export class LoginGate {
  readonly #limit: number;
  #running = 0;

  constructor(limit = 1) {
    this.#limit = limit;
  }

  /** Runs `check` when a place is free and resolves with its result; undefined at once when the gate is full. */
  async run<T>(check: () => Promise<T>): Promise<T | undefined> {
    if (this.#running >= this.#limit) return undefined;
    this.#running++;
    try {
      return await check();
    } finally {
      this.#running--;
    }
  }
}

/** The rate limit's key for a client: its IPv4 address, or its IPv6 /64 (one host usually holds a whole /64). */
export function clientKey(address: string): string {
  if (!address.includes(':') || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) return address.replace(/^::ffff:/i, '');
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
