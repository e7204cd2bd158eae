/** What the first bytes of a connection to the HTTPS port say. */
export type HelloRead =
  /** More bytes are needed to see the whole ClientHello. */
  | { readonly state: 'partial' }
  /** A whole ClientHello, and the host_name of its server_name extension (null when it has none). */
  | { readonly state: 'hello'; readonly serverName: string | null }
  /** Not TLS at all (plain HTTP on the HTTPS port), or a ClientHello that cannot be read or is too long. */
  | { readonly state: 'refuse'; readonly why: 'not-tls' | 'malformed' };

/** The largest ClientHello read (a TLS 1.3 one with a post-quantum key share is about 1.8 KB). */
export const MAX_HELLO_BYTES = 16_384;
/** Bytes buffered at most before the ClientHello is whole: its records' headers included, however it is fragmented. */
export const MAX_BUFFERED_BYTES = 2 * MAX_HELLO_BYTES;

const PARTIAL: HelloRead = { state: 'partial' };
const NOT_TLS: HelloRead = { state: 'refuse', why: 'not-tls' };
const MALFORMED: HelloRead = { state: 'refuse', why: 'malformed' };
const HANDSHAKE = 22;
const CLIENT_HELLO = 1;
const SERVER_NAME = 0;
const HOST_NAME = 0;

/**
 * Reads the ClientHello at the start of `bytes` (RFC 8446 section 4.1.2;
 * RFC 5246 section 7.4.1.2 for TLS 1.2), which may span several handshake
 * records (RFC 8446 section 5.1), and its server_name extension (RFC 6066
 * section 3). A hello still partial after MAX_BUFFERED_BYTES, and any
 * length that does not add up, is "malformed".
 */
export function readClientHello(bytes: Buffer): HelloRead {
  if (bytes.length > 0 && bytes[0] !== HANDSHAKE) return NOT_TLS;
  const partial = bytes.length < MAX_BUFFERED_BYTES ? PARTIAL : MALFORMED;
  const fragments: Buffer[] = [];
  let have = 0;
  let needed = -1;
  for (let offset = 0; ; ) {
    if (bytes.length < offset + 5) return partial;
    const length = bytes.readUInt16BE(offset + 3);
    // RFC 8446 section 5.1: handshake records are never empty, nor longer than 2^14, nor interleaved with others.
    if (bytes[offset] !== HANDSHAKE || length === 0 || length > 16_384) return MALFORMED;
    if (bytes.length < offset + 5 + length) return partial;
    fragments.push(bytes.subarray(offset + 5, offset + 5 + length));
    have += length;
    offset += 5 + length;
    if (needed < 0 && have >= 4) {
      const head = Buffer.concat(fragments);
      if (head[0] !== CLIENT_HELLO) return MALFORMED;
      needed = 4 + head.readUIntBE(1, 3);
      if (needed > MAX_HELLO_BYTES) return MALFORMED;
    }
    if (needed >= 0 && have >= needed) return serverNameOf(Buffer.concat(fragments).subarray(4, needed));
  }
}

/** The host_name in a ClientHello body, or MALFORMED when a length runs past its container. */
function serverNameOf(body: Buffer): HelloRead {
  let p = 2 + 32; // legacy_version, random
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (p + lengthBytes > body.length) return false;
    p += lengthBytes + body.readUIntBE(p, lengthBytes);
    return p <= body.length;
  };
  // legacy_session_id, cipher_suites, legacy_compression_methods
  if (!skip(1) || !skip(2) || !skip(1)) return MALFORMED;
  if (p === body.length) return { state: 'hello', serverName: null }; // a TLS 1.2 hello without extensions
  if (p + 2 > body.length) return MALFORMED;
  const end = p + 2 + body.readUInt16BE(p);
  if (end !== body.length) return MALFORMED;
  for (p += 2; p + 4 <= end; ) {
    const type = body.readUInt16BE(p);
    const length = body.readUInt16BE(p + 2);
    p += 4;
    if (p + length > end) return MALFORMED;
    if (type === SERVER_NAME) return hostNameOf(body.subarray(p, p + length));
    p += length;
  }
  return p === end ? { state: 'hello', serverName: null } : MALFORMED;
}

/** The host_name entry of a ServerNameList (RFC 6066 section 3: at most one of each name_type). */
function hostNameOf(list: Buffer): HelloRead {
  if (list.length < 2 || list.readUInt16BE(0) !== list.length - 2) return MALFORMED;
  for (let p = 2; p + 3 <= list.length; ) {
    const type = list[p]!;
    const length = list.readUInt16BE(p + 1);
    p += 3;
    if (p + length > list.length) return MALFORMED;
    if (type === HOST_NAME) return { state: 'hello', serverName: list.toString('latin1', p, p + length) };
    p += length;
  }
  return { state: 'hello', serverName: null };
}
