/** One language range of an Accept-Language header, with its weight (RFC 9110 section 12.5.4). */
interface Range {
  readonly tag: string;
  readonly q: number;
  readonly order: number;
}

/** Parses Accept-Language into ranges, highest weight first (ties keep header order); malformed parts are skipped. */
export function parseAcceptLanguage(header: string | undefined): Range[] {
  if (header === undefined) return [];
  const ranges: Range[] = [];
  for (const [order, part] of header.slice(0, 1000).split(',').entries()) {
    const [tagPart, ...params] = part.trim().split(';');
    const tag = tagPart?.trim().toLowerCase() ?? '';
    if (!/^([a-z]{1,8}(-[a-z0-9]{1,8})*|\*)$/.test(tag)) continue;
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([01](?:\.[0-9]{0,3})?)\s*$/.exec(param);
      if (m !== null) q = Math.min(1, Number(m[1]));
    }
    if (q > 0) ranges.push({ tag, q, order });
  }
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order);
}

/**
 * The best of the `available` languages (lower-case tags such as "de", "pt-br")
 * for an Accept-Language header: for each range by weight, an exact match,
 * then its primary language ("de-ch" -> "de"), then any available tag with
 * that prefix ("pt" -> "pt-br"). Null when none fits (the caller's default).
 */
export function chooseLanguage(header: string | undefined, available: readonly string[]): string | null {
  if (available.length === 0) return null;
  for (const { tag } of parseAcceptLanguage(header)) {
    if (tag === '*') return null;
    if (available.includes(tag)) return tag;
    const primary = tag.split('-')[0]!;
    if (available.includes(primary)) return primary;
    const sub = available.find((a) => a.startsWith(`${primary}-`));
    if (sub !== undefined) return sub;
  }
  return null;
}
