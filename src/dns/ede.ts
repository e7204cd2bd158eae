/** EDNS option code of Extended DNS Errors (RFC 8914 section 2). */
export const EDE_OPTION = 15;

/** INFO-CODEs Stopzone sends (RFC 8914 section 4). */
export const EdeCode = { BLOCKED: 15, CENSORED: 16, FILTERED: 17, NOT_AUTHORITATIVE: 20, NOT_SUPPORTED: 21 } as const;

/** EXTRA-TEXT is for humans; keep it short enough never to push an answer past 512 bytes on its own. */
const MAX_TEXT_BYTES = 200;

/** One EDE option (code, length, INFO-CODE, EXTRA-TEXT in UTF-8), ready to go in an OPT record's RDATA. */
export function edeOption(code: number, text: string): Buffer {
  let extra = Buffer.from(text, 'utf8');
  if (extra.length > MAX_TEXT_BYTES) extra = Buffer.from(extra.subarray(0, MAX_TEXT_BYTES).toString('utf8').replace(/\uFFFD+$/, ''), 'utf8');
  const option = Buffer.alloc(6 + extra.length);
  option.writeUInt16BE(EDE_OPTION, 0);
  option.writeUInt16BE(2 + extra.length, 2);
  option.writeUInt16BE(code, 4);
  extra.copy(option, 6);
  return option;
}
