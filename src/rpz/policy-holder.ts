import { isIPv4 } from 'node:net';
import type { PolicySet } from './policy-set.js';
import type { StopPageRdata } from './rewrite.js';
import { addressToBytes } from './ip-prefix.js';

/** Where the policy in force is read; a reload swaps it, and each query reads it once. */
export interface PolicySource {
  current(): PolicySet;
}

/**
 * The policy in force. `replace` swaps the whole set in one assignment, so a
 * query (which reads `current()` once) sees the old policy or the new one,
 * never a mix; the old set is freed once its last query ends. Watchers hear
 * of each set put in force (worker threads answering queries get it so).
 */
export class PolicyHolder implements PolicySource {
  #current: PolicySet;
  readonly #watchers: Array<(set: PolicySet) => void> = [];

  constructor(initial: PolicySet) {
    this.#current = initial;
  }

  current(): PolicySet {
    return this.#current;
  }

  replace(next: PolicySet): void {
    this.#current = next;
    for (const watcher of this.#watchers) watcher(next);
  }

  /** Calls `watcher` with every set `replace` puts in force from now on, synchronously, in order. */
  watch(watcher: (set: PolicySet) => void): void {
    this.#watchers.push(watcher);
  }
}

/** The stop page's addresses as A and AAAA RDATA. */
export function stopPageRdata(addresses: readonly string[]): StopPageRdata {
  const rdata = (address: string): Buffer => {
    const bytes = addressToBytes(address)!;
    const raw = isIPv4(address) ? bytes.subarray(12) : bytes;
    return Buffer.concat([Buffer.from([0, raw.length]), raw]);
  };
  return { a: addresses.filter((a) => isIPv4(a)).map(rdata), aaaa: addresses.filter((a) => !isIPv4(a)).map(rdata) };
}
