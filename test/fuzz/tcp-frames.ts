/** DNS over TCP framing for the fuzzers: each message behind its 2-byte length (RFC 1035 section 4.2.2). */

/** Length-prefixed replies out of a TCP byte stream. */
export function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      onFrame(pending.subarray(2, 2 + pending.readUInt16BE(0)));
      pending = pending.subarray(2 + pending.readUInt16BE(0));
    }
  };
}

export function framed(packets: readonly Buffer[]): Buffer {
  return Buffer.concat(packets.flatMap((packet) => [Buffer.from([packet.length >> 8, packet.length & 0xff]), packet]));
}

