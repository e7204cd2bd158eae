import { unmapIPv4 } from '../dns/ipv4-mapped.js';
import type { ClientGroup } from '../model/query.js';
import { referenceCode } from '../observe/block-event.js';
import { ActionKind } from '../rpz/actions.js';
import { addressToBytes } from '../rpz/ip-prefix.js';
import type { ZoneSettings } from '../rpz/policy-set.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import { INVALID_HOST_PAGE, NOT_BLOCKED_PAGE } from './built-in-pages.js';
import { safeUrl } from './escape.js';
import { parseHost } from './host-header.js';
import type { RecentStopPageNames } from './recent-stop-page-names.js';
import { fillTemplate, type PageValues } from './template.js';
import type { PageTemplates } from './templates.js';
import { visitorGroup, type VisitorGroups } from './visitor-group.js';

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
  /** `group` only when the config has groups and the visitor's could be told (visitor-group.ts). */
  readonly view?: { client: string; host: string | null; zone: string | null; rule: string | null; ref: string | null; status: number; group?: string };
}

export interface PageDeps {
  readonly policy: PolicySource;
  /** Names DNS recently sent to the stop page through their answer (a CNAME or an address), which the policy cannot find from the name. */
  readonly recent?: RecentStopPageNames;
  /** The client groups in force, asked again at each request; absent, the page looks at every zone for everyone. */
  readonly groups?: () => VisitorGroups;
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
  return unmapIPv4(address);
}

/** The zone, rule and settings that block a host. */
interface Block {
  readonly zone: string;
  readonly rule: string;
  readonly settings: ZoneSettings;
}

/**
 * Answers one request: /robots.txt disallows all; any other path shows the
 * page for the Host, the zone and rule found by asking the policy in force
 * again (QNAME and Client-IP triggers, as before resolution), or else the
 * rule that recently sent the name to the stop page through its DNS answer
 * (while its zone is still in force); only the zones in force now for the
 * visitor's client group count, when it can be told (visitor-group.ts), and
 * the page names that group when the config has groups. 451 for a zone
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
  const time = deps.now();
  const group = parsed.kind === 'name' ? visitorGroup(deps.groups?.(), deps.recent, client, host) : null;
  const shown = group?.grouped === true ? group.name : '';
  const named = shown === '' ? {} : { group: shown };
  const block = parsed.kind === 'name' ? findBlock(deps, host, client, group, time) : null;
  if (block === null) return page(404, fillTemplate(NOT_BLOCKED_PAGE, { ...neutral(host), group: shown }), { client, host, zone: null, rule: null, ref: null, status: 404, ...named });

  const ref = referenceCode(deps.referenceKey, client, host, block.zone, block.rule, time);
  const status = block.settings.page?.legal === true ? 451 : 403;
  const { template, lang } = deps.templates.choose(request.acceptLanguage);
  const body = fillTemplate(template, blockedValues(block.settings, host, ref, time, status, lang, shown));
  return page(status, body, { client, host, zone: block.zone, rule: block.rule, ref, status, ...named }, lang);
}

/** The block for `host`, in the zones in force at `time` for the visitor's group (every zone when it is unknown). */
function findBlock(deps: PageDeps, host: string, client: string, group: ClientGroup | null, time: number): Block | null {
  const policy = deps.policy.current();
  const zones = group === null ? null : policy.zonesFor(group.index, time);
  const hit = policy.beforeResolution(host, addressToBytes(client), zones).hit;
  if (hit !== null) return hit.kind === ActionKind.PASSTHRU ? null : { zone: hit.zone.name, rule: hit.via, settings: hit.settings };
  const recent = deps.recent?.get(host);
  const index = recent === undefined ? -1 : policy.zones.findIndex(({ zone }) => zone.name === recent.zone);
  if (index < 0 || (zones !== null && zones[index] === 0)) return null;
  return { zone: recent!.zone, rule: recent!.rule, settings: policy.zones[index]!.settings };
}

/** The placeholder values for a blocked host; a text without its link shows the link itself. */
export function blockedValues(settings: ZoneSettings, host: string, ref: string, time: number, status: number, lang: string, group = ''): PageValues {
  const texts = settings.page ?? { legal: false };
  const referenceUrl = safeUrl(texts.referenceUrl);
  const contactUrl = safeUrl(texts.contactUrl);
  return {
    title: texts.title ?? 'This site is blocked',
    reason: texts.reason ?? '',
    host,
    list: settings.logName,
    reference: texts.reference ?? referenceUrl,
    referenceUrl,
    contact: texts.contact ?? contactUrl,
    contactUrl,
    time: formatTime(time),
    ref,
    status: String(status),
    lang,
    group,
  };
}

/** "2025-06-01 14:03:07 UTC" */
export function formatTime(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function neutral(host: string): PageValues {
  return { title: '', reason: '', host, list: '', reference: '', referenceUrl: '', contact: '', contactUrl: '', time: '', ref: '', status: '', lang: 'en', group: '' };
}

function page(status: number, body: string, view: NonNullable<PageResponse['view']>, lang = 'en'): PageResponse {
  return { status, headers: lang === '' ? HTML_HEADERS : { ...HTML_HEADERS, 'content-language': lang }, body, view };
}
