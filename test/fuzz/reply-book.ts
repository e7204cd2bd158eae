import { buildQuery } from '../helpers/dns-client.js';
import type { Campaign } from './campaign.js';
import { clientPacket } from './client-packets.js';
import { WILDCARD_PARENT } from './policy.js';
import { decodeOrReason, hex, listedDataIn } from './reply-check.js';

/** The ID of marker queries; client packets get the others. */
export const MARKER_ID = 0;

/** Checks replies against what was sent: every ID seen once, QR set, size within the client's limit, a sample decoded. */
export class ReplyBook {
  readonly #sentIndex = new Int32Array(65536).fill(-1);
  readonly #limit = new Uint16Array(65536);
  readonly #answered = new Uint8Array(65536);
  #nextId = 1;
  #decodeCounter = 0;
  readonly campaign: Campaign;
  readonly transport: 'udp' | 'tcp';
  readonly decodeEvery: number;
  constructor(campaign: Campaign, transport: 'udp' | 'tcp', decodeEvery: number) {
    this.campaign = campaign;
    this.transport = transport;
    this.decodeEvery = decodeEvery;
  }

  /** Gives the packet an ID of its own (never the marker's) and remembers which input it was. */
  register(packet: Buffer, index: number): void {
    if (packet.length < 2) return;
    const id = this.#nextId;
    this.#nextId = this.#nextId === 65535 ? 1 : this.#nextId + 1;
    packet.writeUInt16BE(id, 0);
    this.#sentIndex[id] = index;
    this.#answered[id] = 0;
    // RFC 6891 section 7: without an OPT a UDP reply fits 512 bytes; with one, at most our maxUdpPayload (1232 in the fuzz config).
    this.#limit[id] = this.transport === 'tcp' ? 65535 : packet.length >= 12 && packet.readUInt16BE(10) > 0 ? 1232 : 512;
  }

  check(reply: Buffer): void {
    const campaign = this.campaign;
    campaign.count('replies');
    if (reply.length < 12) return campaign.fail('reply shorter than a header', -1, hex(reply), reply);
    const id = reply.readUInt16BE(0);
    const index = this.#sentIndex[id]!;
    const input = (): Buffer => {
      const packet = clientPacket(campaign.options.seed, index);
      if (packet.length >= 2) packet.writeUInt16BE(id, 0);
      return packet;
    };
    if (index < 0) return campaign.fail('reply with an ID never sent', -1, hex(reply), reply);
    if (this.#answered[id] === 1) return campaign.fail('two replies to one query', index, `${this.transport} reply ${hex(reply)}`, input());
    this.#answered[id] = 1;
    if ((reply[2]! & 0x80) === 0) campaign.fail('reply without QR', index, `${this.transport} reply ${hex(reply)}`, input());
    if (reply.length > this.#limit[id]!) campaign.fail('UDP reply larger than the client allows', index, `${reply.length} bytes, limit ${this.#limit[id]}; query ${hex(input())}`, input());
    if (++this.#decodeCounter % this.decodeEvery !== 0) return;
    campaign.count('replies decoded');
    const packet = decodeOrReason(reply);
    if (typeof packet === 'string') return campaign.fail('reply does not parse', index, `${this.transport} ${packet}; query ${hex(input())}; reply ${hex(reply)}`, input());
    const listed = listedDataIn(packet);
    if (listed !== null) campaign.fail(listed.inChain ? 'listed data on the answer chain' : 'listed data relayed beside the answer chain', index, `${this.transport} ${listed.record}; query ${hex(input())}`, input());
  }
}

/** A marker: a query for a listed name, answered by the policy at once; its reply closes a batch. */
export function marker(lane: number): Buffer {
  return buildQuery(`m${lane}.${WILDCARD_PARENT}`, { id: MARKER_ID });
}

/** The marker's reply must be the policy's NXDOMAIN with no answer: the list holds while the fuzzing goes on. */
export function checkMarker(campaign: Campaign, reply: Buffer, transport: string): void {
  campaign.count('markers');
  if ((reply[3]! & 0x0f) !== 3 || reply.readUInt16BE(6) !== 0) campaign.fail('listed name answered during the run', -1, `${transport} marker reply ${hex(reply)}`);
}

