/**
 * The wire form of a name written as master-file text (RFC 1035 section 5.1):
 * the inverse of how dns/wire.ts reads a question, so "\\046" is a dot inside a
 * label and "\\." the same. Null when the text is no valid name (an empty
 * label, a label over 63 octets, a name over 255, a character beyond one octet).
 */
export function nameToWire(text: string): Buffer | null {
  const out: number[] = [];
  let label: number[] = [];
  const endLabel = (): boolean => {
    if (label.length === 0 || label.length > 63) return false;
    out.push(label.length, ...label);
    label = [];
    return true;
  };
  const body = text.endsWith('.') && !text.endsWith('\\.') ? text.slice(0, -1) : text;
  for (let i = 0; i < body.length; i++) {
    let c = body.charCodeAt(i);
    if (c === 0x2e) {
      if (!endLabel()) return null;
      continue;
    }
    if (c === 0x5c) {
      const digits = /^[0-9]{3}/.exec(body.slice(i + 1, i + 4));
      if (digits !== null) {
        c = Number(digits[0]);
        i += 3;
      } else if (i + 1 < body.length) {
        c = body.charCodeAt(++i);
      } else {
        return null;
      }
    }
    if (c > 0xff) return null;
    label.push(c);
  }
  if (body !== '' && !endLabel()) return null;
  out.push(0);
  return out.length > 255 ? null : Buffer.from(out);
}
