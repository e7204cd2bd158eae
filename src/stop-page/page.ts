import { isIP } from 'node:net';
import { referenceCode } from '../observe/block-event.js';
import { ActionKind } from '../rpz/actions.js';
import { addressToBytes } from '../rpz/ip-prefix.js';
import type { PolicyHit } from '../rpz/policy-set.js';
import type { PolicySource } from '../server/stages/policy.js';
import { INVALID_HOST_PAGE, NOT_BLOCKED_PAGE } from './built-in-pages.js';
import { safeUrl } from './escape.js';
import { parseHost } from './host-header.js';
import { fillTemplate, type PageValues } from './template.js';
import type { PageTemplates } from './templates.js';

/** What the page needs from one HTTP request. */
export interface PageRequest {
  readonly method: string;
  /** The request target ("/some/path?x"). */
  readonly url: string;
  readonly host: string | undefined;
  /** The TLS SNI name, used when there is no Host header. */
  readonly servername?: string;
  /** The TCP peer address. */
  readonly client: string;
  readonly acceptLanguage: string | undefined;
}

/** The response, and the fields of the "stop page shown" log line (absent for robots.txt). */
export interface PageResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly view?: { client: string; host: string | null; zone: string | null; rule: string | null; ref: string | null; status: number };
}

export interface PageDeps {
  readonly policy: PolicySource;
  readonly referenceKey: Buffer;
  readonly templates: PageTemplates;
  readonly now: () => number;
}

/** No scripts, no external anything; inline styles and data: images (an operator's logo) only. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CSP,
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  vary: 'Accept-Language',
};
const ROBOTS = 'User-agent: *\nDisallow: /\n';

/** The peer address as the DNS side sees it: "::ffff:192.0.2.1" becomes "192.0.2.1". */
export function normaliseClient(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Answers one request: /robots.txt disallows all; any other path shows the
 * page for the Host, the zone and rule found by asking the policy in force
 * again (QNAME and Client-IP triggers, as before resolution), 451 for a zone
 * marked `legal`, 403 otherwise, 404 when nothing blocks the host.
 */
export function respond(deps: PageDeps, request: PageRequest): PageResponse {
  if (request.url === '/robots.txt' || request.url.startsWith('/robots.txt?')) {
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: ROBOTS };
  }
  const client = normaliseClient(request.client);
  const parsed = parseHost(request.host ?? request.servername);
  if (parsed.kind === 'invalid') return page(400, fillTemplate(INVALID_HOST_PAGE, neutral('')), { client, host: null, zone: null, rule: null, ref: null, status: 400 });
  const { host } = parsed;
  const hit = parsed.kind === 'name' ? deps.policy.current().beforeResolution(host, addressToBytes(client)).hit : null;
  if (hit === null || hit.kind === ActionKind.PASSTHRU) return page(404, fillTemplate(NOT_BLOCKED_PAGE, neutral(host)), { client, host, zone: null, rule: null, ref: null, status: 404 });

  const time = deps.now();
  const ref = referenceCode(deps.referenceKey, client, host, hit.zone.name, hit.via, time);
  const status = hit.settings.page?.legal === true ? 451 : 403;
  const { template, lang } = deps.templates.choose(request.acceptLanguage);
  const body = fillTemplate(template, blockedValues(hit, host, ref, time, status, lang));
  return page(status, body, { client, host, zone: hit.zone.name, rule: hit.via, ref, status }, lang);
}

/** The placeholder values for a blocked host; a text without its link shows the link itself. */
export function blockedValues(hit: PolicyHit, host: string, ref: string, time: number, status: number, lang: string): PageValues {
  const texts = hit.settings.page ?? { legal: false };
  const referenceUrl = safeUrl(texts.referenceUrl);
  const contactUrl = safeUrl(texts.contactUrl);
  return {
    title: texts.title ?? 'This site is blocked',
    reason: texts.reason ?? '',
    host,
    list: hit.settings.logName,
    reference: texts.reference ?? referenceUrl,
    referenceUrl,
    contact: texts.contact ?? contactUrl,
    contactUrl,
    time: formatTime(time),
    ref,
    status: String(status),
    lang,
  };
}

/** "2025-06-01 14:03:07 UTC" */
export function formatTime(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function neutral(host: string): PageValues {
  return { title: '', reason: '', host, list: '', reference: '', referenceUrl: '', contact: '', contactUrl: '', time: '', ref: '', status: '', lang: 'en' };
}

function page(status: number, body: string, view: NonNullable<PageResponse['view']>, lang = 'en'): PageResponse {
  return { status, headers: lang === '' ? HTML_HEADERS : { ...HTML_HEADERS, 'content-language': lang }, body, view };
}
