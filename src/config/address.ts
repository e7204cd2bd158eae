import { isIP } from 'node:net';

/** A value parsed from the config that prints, and logs as JSON, as the admin wrote it (`label`). */
abstract class AsConfigured {
  /** The text as configured: how logs, errors and metrics name it. */
  readonly label: string;

  constructor(label: string) {
    this.label = label;
  }

  toString(): string {
    return this.label;
  }

  toJSON(): string {
    return this.label;
  }
}

/** An IP address and port from the config ("192.0.2.1:53", "[2001:db8::1]:53"), parsed once at start-up. */
export class Endpoint extends AsConfigured {
  /** The address without brackets, IPv6 in the compressed form (RFC 5952) the kernel reports a peer's in, so it compares with a packet's source. */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;

  constructor(host: string, port: number, family: 4 | 6, label: string) {
    super(label);
    this.host = host;
    this.port = port;
    this.family = family;
    Object.freeze(this);
  }
}

/** A client network from the config ("10.0.0.0/8", "::1"), parsed once at start-up: what BlockList.addSubnet takes. */
export class Network extends AsConfigured {
  readonly address: string;
  /** The prefix length; a bare address is its own /32 or /128. */
  readonly bits: number;
  readonly family: 4 | 6;

  constructor(address: string, bits: number, family: 4 | 6, label: string) {
    super(label);
    this.address = address;
    this.bits = bits;
    this.family = family;
    Object.freeze(this);
  }
}

/** What an endpoint's text may leave out or hold. */
export interface EndpointForm {
  /** The port of a bare address ("192.0.2.1", "[2001:db8::1]", "2001:db8::1"); without it the port is required. */
  readonly defaultPort?: number;
  /** Port 0 (any free port) is allowed: a listener, not a peer. */
  readonly listener?: boolean;
}

/**
 * The one parser of "address:port" text: "192.0.2.1:53", "[2001:db8::1]:53",
 * and with `defaultPort` also "192.0.2.1", "[2001:db8::1]" and "2001:db8::1".
 * Null when the text is none of these, the address is no IP address (host
 * names and IPv6 zone indexes included) or the port is out of range.
 */
export function parseEndpoint(text: string, form: EndpointForm = {}): Endpoint | null {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*))(?::([0-9]{1,5}))?$/.exec(text);
  let address = match?.[1] ?? match?.[2];
  let portText = match?.[3];
  // An unbracketed IPv6 address holds colons, so it only ever comes bare.
  if (match === null && form.defaultPort !== undefined && isIP(text) === 6) {
    address = text;
    portText = undefined;
  }
  if (address === undefined || (match?.[2] !== undefined && isIP(address) === 6)) return null;
  const family = isIP(address);
  if (family === 0 || address.includes('%') || (match?.[1] !== undefined && family !== 6)) return null;
  const port = portText === undefined ? form.defaultPort : Number(portText);
  if (port === undefined || port < (form.listener === true ? 0 : 1) || port > 65535) return null;
  // The URL parser writes IPv6 in the canonical compressed form, which is what Node reports as a peer's address.
  const host = family === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
  return new Endpoint(host, port, family as 4 | 6, text);
}

/** parseEndpoint for text that must be one; throws an Error naming `what`, the text and the expected form. */
export function endpoint(text: string, what: string, form: EndpointForm = {}): Endpoint {
  const parsed = parseEndpoint(text, form);
  if (parsed === null) throw new Error(`${what} "${text}": expected ${endpointExpected(form)}`);
  return parsed;
}

/** What endpoint text of this form should look like, for error messages. */
export function endpointExpected(form: EndpointForm = {}): string {
  if (form.defaultPort !== undefined) return 'an IP address, optionally with a port: "192.0.2.1", "192.0.2.1:5300" or "[2001:db8::1]:53"';
  return `"192.0.2.1:53" or "[2001:db8::1]:53" (an IP address and a port from ${form.listener === true ? 0 : 1} to 65535)`;
}

/** "10.0.0.0/8", "2001:db8::/32" or a bare address; null when the address is no IP address or the prefix is no whole number up to 32 (IPv4) or 128 (IPv6). */
export function parseNetwork(text: string): Network | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return null;
  const maxBits = family === 4 ? 32 : 128;
  const bits = slash < 0 ? maxBits : /^[0-9]{1,3}$/.test(text.slice(slash + 1)) ? Number(text.slice(slash + 1)) : -1;
  if (bits < 0 || bits > maxBits) return null;
  return new Network(address, bits, family as 4 | 6, text);
}

/** The longest prefix a network of `text`'s family may have, for error messages (32 unless it is IPv6). */
export function networkMaxBits(text: string): number {
  return isIP(text.split('/')[0]!) === 6 ? 128 : 32;
}

/** Whether `host` (an address as Endpoint.host holds it) is on loopback: 127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6. */
export function isLoopback(host: string): boolean {
  const address = host.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return (isIP(address) === 4 && address.startsWith('127.')) || address === '::1';
}
