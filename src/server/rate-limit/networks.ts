import type { Network as ConfigNetwork } from '../../config/address.js';
import { readAddress } from '../../rpz/address-bytes.js';

/** A network as 16 address bytes (IPv4-mapped for IPv4), zero past its prefix, and the prefix length within those 128 bits. */
export interface Network {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/**
 * The config's networks (rateLimit.exempt) as 16 bytes each, once, at
 * start-up; the config has parsed them, so an address that does not read
 * here is a programming error and throws.
 */
export function networkList(networks: readonly ConfigNetwork[]): Network[] {
  return networks.map((network) => {
    const bytes = new Uint8Array(16);
    const family = readAddress(network.address, bytes);
    if (family === 0) throw new Error(`not an address: ${network.label}`);
    const bits = family === 4 ? 96 + network.bits : network.bits;
    return { bytes: maskTo(bytes, bits, bytes), bits };
  });
}

/** Whether `address` (16 bytes) lies in one of `networks`. */
export function inNetworks(address: Uint8Array, networks: readonly Network[]): boolean {
  for (const network of networks) if (inNetwork(address, network)) return true;
  return false;
}

function inNetwork(address: Uint8Array, network: Network): boolean {
  const whole = network.bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== network.bytes[i]) return false;
  const rest = network.bits & 7;
  return rest === 0 || ((address[whole]! ^ network.bytes[whole]!) & (0xff << (8 - rest)) & 0xff) === 0;
}

/** Writes `address` with every bit past the first `bits` cleared into `out` (which may be `address`); returns `out`. */
export function maskTo(address: Uint8Array, bits: number, out: Uint8Array): Uint8Array {
  const whole = bits >> 3;
  for (let i = 0; i < 16; i++) {
    if (i < whole) out[i] = address[i]!;
    else if (i === whole && (bits & 7) !== 0) out[i] = address[i]! & (0xff << (8 - (bits & 7)));
    else out[i] = 0;
  }
  return out;
}
