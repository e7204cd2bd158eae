/**
 * Splits a TCP byte stream into DNS messages, each preceded by its two-octet
 * length (RFC 1035 section 4.2.2, RFC 7766 section 8). Chunks may split a
 * message or its length anywhere.
 */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** Adds a chunk and returns the messages it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    while (this.#pending.length >= 2) {
      const end = 2 + this.#pending.readUInt16BE(0);
      if (this.#pending.length < end) break;
      frames.push(this.#pending.subarray(2, end));
      this.#pending = this.#pending.subarray(end);
    }
    return frames;
  }
}

/** `message` with its two-octet length in front. */
export function frame(message: Buffer): Buffer {
  const out = Buffer.alloc(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
}
