/** HTML text and attribute escaping: every value on the page passes through here (a Host header is hostile input). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

/** Schemes a link on the stop page may use; anything else (javascript:, data:, relative) is dropped. */
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** The URL when it is an absolute http:, https: or mailto: URL, else "" (no link is shown). */
export function safeUrl(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return '';
  try {
    const url = new URL(value.trim());
    return SAFE_SCHEMES.has(url.protocol) ? url.href : '';
  } catch {
    return '';
  }
}
