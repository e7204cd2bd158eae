const EMPTY = Buffer.alloc(0);

/**
 * Splits a TCP byte stream into DNS messages, each sent after its length in
 * two bytes (RFC 1035 section 4.2.2). Each byte is copied once, into a buffer
 * of the message's own size: a client sending a byte at a time costs no
 * re-copying of what came before. Input is taken a chunk at a time and read
 * one message at a time, so the reader can stop between messages.
 */
export class MessageFramer {
  #input: Buffer = EMPTY;
  #offset = 0;
  /** The first length byte, when only it has arrived; -1 otherwise. */
  #high = -1;
  /** The message being filled, once its length is known. */
  #body: Buffer | null = null;
  #filled = 0;

  /** Adds bytes received; call when the previous input has been read (buffered is false). */
  push(chunk: Buffer): void {
    this.#input = this.#offset < this.#input.length ? Buffer.concat([this.#input.subarray(this.#offset), chunk]) : chunk;
    this.#offset = 0;
  }

  /** The next whole message (a copy the caller owns), or null when the input ends before one is complete. */
  next(): Buffer | null {
    const input = this.#input;
    while (this.#offset < input.length) {
      if (this.#body === null) {
        const byte = input[this.#offset++]!;
        if (this.#high < 0) {
          this.#high = byte;
          continue;
        }
        this.#body = Buffer.allocUnsafe((this.#high << 8) | byte);
        this.#high = -1;
        this.#filled = 0;
      }
      const take = Math.min(this.#body.length - this.#filled, input.length - this.#offset);
      input.copy(this.#body, this.#filled, this.#offset, this.#offset + take);
      this.#filled += take;
      this.#offset += take;
      if (this.#filled === this.#body.length) return this.#complete();
    }
    // All read: let go of the chunk (a zero-length message was completed in the loop).
    this.#input = EMPTY;
    this.#offset = 0;
    return null;
  }

  /** Part of a message has arrived and the rest has not. */
  get started(): boolean {
    return this.#high >= 0 || this.#body !== null;
  }

  /** Input remains that next() has not read yet. */
  get buffered(): boolean {
    return this.#offset < this.#input.length;
  }

  #complete(): Buffer {
    const message = this.#body!;
    this.#body = null;
    return message;
  }
}

/** `message` with its two-octet length in front (RFC 1035 section 4.2.2), in one buffer: one write, one segment. */
export function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
}
