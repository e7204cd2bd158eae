import { isIPv4 } from 'node:net';
import type { PolicySet } from '../rpz/policy-set.js';
import type { StopPageRdata } from '../rpz/rewrite.js';
import { addressToBytes } from '../rpz/ip-prefix.js';
import type { PolicySource } from './stages/policy.js';

/**
 * The policy in force. `replace` swaps the whole set in one assignment, so a
 * query (which reads `current()` once) sees the old policy or the new one,
 * never a mix; the old set is freed once its last query ends.
 */
export class PolicyHolder implements PolicySource {
  #current: PolicySet;

  constructor(initial: PolicySet) {
    this.#current = initial;
  }

  current(): PolicySet {
    return this.#current;
  }

  replace(next: PolicySet): void {
    this.#current = next;
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
