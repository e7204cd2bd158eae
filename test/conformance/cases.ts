import type { Question } from '../helpers/answer-outcome.js';

/**
 * The differential conformance table: questions asked of BIND 9 and of Stopzone, both forwarding to the same NSD
 * with the same policy zones. Nothing here says what the answer should be: BIND's answer is the oracle. A case marked
 * `known` is one where BIND is known to depart from the draft (or to answer from state Stopzone does not share); it is
 * asserted to differ (a run where it agrees fails: the case then loses its `known`), with the reason beside it.
 *
 * The upstream data (served by NSD) is here too, beside the cases that depend on it: `upstreamZones()` gives every
 * queried name under example.test and example.com generic records unless the name is listed in EXPLICIT or starts
 * with "nothere".
 */

/** Per-zone options, with the meaning of Stopzone's `policy.zones` keys and BIND's response-policy clauses. */
export interface ZoneOptions {
  readonly policy?: 'given' | 'disabled' | 'passthru' | 'drop' | 'tcp-only' | 'nxdomain' | 'nodata' | 'cname';
  readonly cname?: string;
  readonly maxPolicyTtl?: number;
  /** BIND's recursive-only only: Stopzone has no such key, it applies policy whatever the RD bit. */
  readonly recursiveOnly?: boolean;
  readonly log?: boolean;
}

/** A policy zone: origin, master-file text, options. */
export interface ZoneSpec {
  readonly name: string;
  readonly text: string;
  readonly options?: ZoneOptions;
}

/** One question. `from` is the client's source address (127.0.0.1 unless given). */
export type CaseQuery = Question;

export interface Case {
  readonly name: string;
  /** Policy zones in order of precedence; cases with the same list share one BIND and one Stopzone. */
  readonly zones: readonly ZoneSpec[];
  readonly query: CaseQuery;
  readonly note?: string;
  /** Why BIND is expected to depart from the draft (or from a plain forwarder) here. Compared anyway. */
  readonly known?: string;
  /** Compare answer TTLs too (the policy TTL cap cases). */
  readonly compareTtl?: boolean;
}

/** A policy zone with the SOA and NS every zone needs; owners in `body` are relative to the origin. */
export function zone(name: string, body: string, options?: ZoneOptions): ZoneSpec {
  const text = `$ORIGIN ${name}.\n$TTL 60\n@ SOA localhost. root.localhost. 1 3600 600 86400 60\n@ NS localhost.\n${body.trim()}\n`;
  return options === undefined ? { name, text } : { name, text, options };
}

// ---------------------------------------------------------------------------------------------------------------
// Policy zone sets
// ---------------------------------------------------------------------------------------------------------------

/** Every action once, QNAME triggers exact and wildcard, local data of several types. */
const ACTIONS = [
  zone(
    'actions.rpz',
    `
nx.example.test          CNAME .
*.nx.example.test        CNAME .
nodata.example.test      CNAME *.
pass.example.test        CNAME rpz-passthru.
self.example.test        CNAME self.example.test.
drop.example.test        CNAME rpz-drop.
tcp.example.test         CNAME rpz-tcp-only.
garden.example.test      CNAME *.garden.test.
walled.example.test      CNAME walled.garden.test.
local4.example.test      A     192.0.2.100
local6.example.test      AAAA  2001:db8::100
localtxt.example.test    TXT   "blocked by policy"
localmx.example.test     MX    10 mail.example.test.
multi.example.test       A     192.0.2.101
multi.example.test       AAAA  2001:db8::101
multi.example.test       TXT   "several types"
*.wild.example.test      CNAME *.
`,
  ),
];

/** Two zones: the earlier wins, whatever the later says; PASSTHRU in the earlier is an allow-list. */
const PRECEDENCE = [
  zone(
    'first.rpz',
    `
both.example.test          CNAME .
allow.example.test         CNAME rpz-passthru.
*.allowwild.example.test   CNAME rpz-passthru.
allowalias.example.test    CNAME rpz-passthru.
rev.example.test           CNAME .
32.9.2.0.192.rpz-ip        CNAME .
`,
  ),
  zone(
    'second.rpz',
    `
both.example.test          A     192.0.2.102
allow.example.test         CNAME .
x.allowwild.example.test   CNAME .
allowwild.example.test     CNAME .
onlysecond.example.test    CNAME *.
ipfirst.example.test       A     192.0.2.103
blockedtarget.example.test CNAME .
rev.example.test           CNAME rpz-passthru.
`,
  ),
];

/** Exact over wildcard, more labels over fewer, within one zone. */
const LABELS = [
  zone(
    'labels.rpz',
    `
exact.w.example.test       A 192.0.2.110
*.exact.w.example.test     A 192.0.2.111
*.w.example.test           A 192.0.2.112
*.deep.w.example.test      A 192.0.2.113
*.x.deep.w.example.test    CNAME .
`,
  ),
];

/** Client-IP over QNAME over Response-IP; longest client prefix; client-IP actions. */
const TRIGGERS = [
  zone(
    'triggers.rpz',
    `
32.3.0.0.127.rpz-client-ip   CNAME .
32.4.0.0.127.rpz-client-ip   CNAME *.
31.4.0.0.127.rpz-client-ip   A     192.0.2.120
32.6.0.0.127.rpz-client-ip   CNAME .
32.7.0.0.127.rpz-client-ip   CNAME rpz-passthru.
32.8.0.0.127.rpz-client-ip   CNAME rpz-drop.
32.10.0.0.127.rpz-client-ip  CNAME rpz-tcp-only.
cip.example.test             CNAME *.
qvip.example.test            A     192.0.2.121
32.1.2.0.192.rpz-ip          CNAME .
`,
  ),
];

/** rpz-ip on A and AAAA answers: prefixes, longest prefix, smallest address, passthru holes, local data. */
const RPZ_IP = [
  zone(
    'ip.rpz',
    `
32.1.2.0.192.rpz-ip          CNAME .
24.0.2.0.192.rpz-ip          CNAME *.
32.7.2.0.192.rpz-ip          CNAME rpz-passthru.
32.3.2.0.192.rpz-ip          A     192.0.2.131
128.1.zz.db8.2001.rpz-ip     CNAME .
48.zz.bad.db8.2001.rpz-ip    AAAA  2001:db8::130
32.zz.db8.2001.rpz-ip        CNAME *.
`,
  ),
];

/** Policy on the names of a CNAME chain (QNAME triggers on targets, rpz-ip on the final addresses). */
const CHAIN = [
  zone(
    'chain.rpz',
    `
ctarget.example.test         CNAME .
cmid.example.test            A     192.0.2.140
32.62.100.51.198.rpz-ip      CNAME *.
`,
  ),
];

const OVERRIDE_KINDS = ['disabled', 'given', 'passthru', 'drop', 'tcp-only', 'nxdomain', 'nodata', 'cname'] as const;

/** One zone per override, each listing its own names (so the zones never compete), plus one shared name. */
const OVERRIDES = OVERRIDE_KINDS.map((kind) =>
  zone(
    `ovr-${kind}.rpz`,
    `
o-${kind}-nx.example.test     CNAME .
o-${kind}-local.example.test  A     192.0.2.150
o-${kind}-pass.example.test   CNAME rpz-passthru.
${kind === 'disabled' ? 'o-shared.example.test CNAME .' : kind === 'nodata' ? 'o-shared.example.test A 192.0.2.151' : ''}
`,
    kind === 'cname' ? { policy: kind, cname: 'walled.garden.test' } : { policy: kind },
  ),
);

/** max-policy-ttl: BIND's default cap and an explicit one. */
const TTL_CAP = [
  zone(
    'cap-default.rpz',
    `
t60.example.test    60   A 192.0.2.160
t2.example.test     2    A 192.0.2.161
t60m.example.test   60   MX 10 mail.example.test.
`,
  ),
  zone(
    'cap-30.rpz',
    `
t3600.example.test  3600 A 192.0.2.162
t10.example.test    10   A 192.0.2.163
tgarden.example.test 3600 CNAME walled.garden.test.
`,
    { maxPolicyTtl: 30 },
  ),
];

/** recursive-only no: RD=0 queries are rewritten too. */
const NOT_RECURSIVE_ONLY = [
  zone(
    'ro.rpz',
    `
ro-nx.example.test     CNAME .
ro-local.example.test  A     192.0.2.170
`,
    { recursiveOnly: false },
  ),
];

/** NSDNAME and NSIP triggers, to find out whether BIND enforces them behind a forwarder. */
const NS_TRIGGERS = [
  zone(
    'ns.rpz',
    `
ns.nsd1.test.rpz-nsdname     CNAME .
32.55.0.0.127.rpz-nsip       CNAME *.
`,
  ),
];

/** The forms the draft uses in its examples (section 3's actions, section 4.1's address labels, the "hole" idiom). */
const DRAFT = [
  zone(
    'draft.rpz',
    `
bad.example.com              CNAME .
*.bad.example.com            CNAME .
nodata.example.com           CNAME *.
ok.example.com               CNAME rpz-passthru.
*.ok.example.com             CNAME rpz-passthru.
garden.example.com           CNAME *.garden.test.
local.example.com            A     192.0.2.180
local.example.com            AAAA  2001:db8::180
24.0.2.0.192.rpz-ip          CNAME .
32.1.2.0.192.rpz-ip          CNAME rpz-passthru.
`,
  ),
];

// ---------------------------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------------------------

type Row = [name: string, query: CaseQuery, extra?: Partial<Pick<Case, 'note' | 'known' | 'compareTtl'>>];

function rows(zones: readonly ZoneSpec[], list: Row[]): Case[] {
  return list.map(([name, query, extra]) => ({ name, zones, query, ...extra }));
}

const NS_KNOWN =
  'BIND behind "forward only" sees no delegations: it applies NSDNAME/NSIP only once the NS RRset (and, for NSIP, the ' +
  'server address) is in its cache because a client asked for it, so the outcome depends on earlier questions; ' +
  'Stopzone does not enforce NSDNAME/NSIP (docs/design.md, RPZ semantics)';
const RD0 =
  'with recursive-only yes (its default) BIND skips policy for RD=0 and answers from its cache, listed names included; ' +
  'Stopzone applies policy to every query and answers RD=0 from its cache only (REFUSED with EDE 20 on a miss)';

export const CASES: readonly Case[] = [
  ...rows(ACTIONS, [
    ['NXDOMAIN: exact QNAME, A', { name: 'nx.example.test' }],
    ['NXDOMAIN: exact QNAME, AAAA', { name: 'nx.example.test', type: 'AAAA' }],
    ['NXDOMAIN: exact QNAME, TXT', { name: 'nx.example.test', type: 'TXT' }],
    ['NXDOMAIN: exact QNAME, HTTPS', { name: 'nx.example.test', type: 'HTTPS' }],
    ['NXDOMAIN: exact QNAME over TCP', { name: 'nx.example.test', tcp: true }],
    ['NXDOMAIN: wildcard *.nx matches one label below', { name: 'a.nx.example.test' }],
    ['NXDOMAIN: wildcard *.nx matches several labels below', { name: 'deep.a.nx.example.test' }],
    ['NXDOMAIN: from another client address', { name: 'nx.example.test', from: '127.0.0.9' }],
    ['NXDOMAIN: upper-case query name', { name: 'NX.EXAMPLE.TEST' }],
    ['NXDOMAIN: mixed-case name under a wildcard', { name: 'A.Nx.Example.TEST' }],
    ['NODATA: exact QNAME, A', { name: 'nodata.example.test' }],
    ['NODATA: exact QNAME, TXT', { name: 'nodata.example.test', type: 'TXT' }],
    ['NODATA: exact QNAME, MX over TCP', { name: 'nodata.example.test', type: 'MX', tcp: true }],
    ['NODATA: wildcard *.wild', { name: 'x.wild.example.test' }],
    ['wildcard *.wild does not match wild itself', { name: 'wild.example.test' }],
    ['PASSTHRU (rpz-passthru.): A', { name: 'pass.example.test' }],
    ['PASSTHRU (rpz-passthru.): AAAA', { name: 'pass.example.test', type: 'AAAA' }],
    ['PASSTHRU (rpz-passthru.): upper case', { name: 'PASS.example.test' }],
    ['PASSTHRU (CNAME to self): A', { name: 'self.example.test' }],
    ['PASSTHRU (CNAME to self): TXT', { name: 'self.example.test', type: 'TXT' }],
    ['DROP over UDP: no answer', { name: 'drop.example.test' }],
    ['DROP over TCP: no answer', { name: 'drop.example.test', tcp: true }],
    ['TCP-only over UDP: TC=1', { name: 'tcp.example.test' }],
    ['TCP-only over TCP: the real answer', { name: 'tcp.example.test', tcp: true }],
    ['TCP-only over TCP: AAAA', { name: 'tcp.example.test', type: 'AAAA', tcp: true }],
    ['TCP-only over UDP: TXT', { name: 'tcp.example.test', type: 'TXT' }],
    ['walled garden CNAME *.garden.test.: A', { name: 'garden.example.test' }],
    ['walled garden CNAME *.garden.test.: AAAA', { name: 'garden.example.test', type: 'AAAA' }],
    ['walled garden CNAME *.garden.test.: over TCP from 127.0.0.2', { name: 'garden.example.test', tcp: true, from: '127.0.0.2' }],
    ['walled garden CNAME host.: A', { name: 'walled.example.test' }],
    ['walled garden CNAME host.: TXT', { name: 'walled.example.test', type: 'TXT' }],
    ['local data A: A', { name: 'local4.example.test' }],
    ['local data A: AAAA is NODATA', { name: 'local4.example.test', type: 'AAAA' }],
    ['local data A: TXT is NODATA', { name: 'local4.example.test', type: 'TXT' }],
    ['local data A: HTTPS is NODATA', { name: 'local4.example.test', type: 'HTTPS' }],
    ['local data A: over TCP', { name: 'local4.example.test', tcp: true }],
    ['local data A: mixed case', { name: 'Local4.Example.Test' }],
    ['local data AAAA: AAAA', { name: 'local6.example.test', type: 'AAAA' }],
    ['local data AAAA: A is NODATA', { name: 'local6.example.test' }],
    ['local data TXT: TXT', { name: 'localtxt.example.test', type: 'TXT' }],
    ['local data MX: MX', { name: 'localmx.example.test', type: 'MX' }],
    ['local data MX: A is NODATA', { name: 'localmx.example.test' }],
    ['local data, several types: A', { name: 'multi.example.test' }],
    ['local data, several types: AAAA', { name: 'multi.example.test', type: 'AAAA' }],
    ['local data, several types: TXT', { name: 'multi.example.test', type: 'TXT' }],
    ['local data, several types: MX is NODATA', { name: 'multi.example.test', type: 'MX' }],
    ['local data, several types: ANY', { name: 'multi.example.test', type: 'ANY' }, { note: 'ANY on local data: every RRset at the owner, or not?' }],
    ['NXDOMAIN: ANY', { name: 'nx.example.test', type: 'ANY' }],
    ['unlisted name: A forwarded', { name: 'www.example.test' }],
    ['unlisted name: MX forwarded', { name: 'www.example.test', type: 'MX' }],
    ['unlisted name: HTTPS forwarded', { name: 'www.example.test', type: 'HTTPS' }],
    ['unlisted name: ANY, nothing cached for the name', { name: 'anyfresh.example.test', type: 'ANY' }],
    ['unlisted name: ANY once A, MX and HTTPS are cached', { name: 'www.example.test', type: 'ANY' }, { known: 'BIND answers ANY from its cache when it holds anything for the name (here A, MX and HTTPS, not AAAA or TXT); a forwarder without that cache passes on the upstream\'s full ANY answer' }],
    ['unlisted missing name: upstream NXDOMAIN', { name: 'nothere.example.test' }],
    ['RD=0, listed name, recursive-only yes (the default)', { name: 'nx.example.test', rd: false }, { known: RD0 }],
    ['RD=0, local data, recursive-only yes', { name: 'local4.example.test', rd: false }, { known: RD0 }],
    ['RD=0, unlisted name already cached', { name: 'www.example.test', rd: false }, { note: 'www.example.test A was asked above with RD=1' }],
  ]),
  ...rows(PRECEDENCE, [
    ['earlier zone wins: NXDOMAIN in first over local data in second', { name: 'both.example.test' }],
    ['earlier zone wins: NXDOMAIN in first, AAAA', { name: 'both.example.test', type: 'AAAA' }],
    ['allow-list: PASSTHRU in first stops a block in second', { name: 'allow.example.test' }],
    ['allow-list over TCP', { name: 'allow.example.test', tcp: true }],
    ['earlier zone before exact-over-wildcard: first *.allowwild PASSTHRU beats second exact block', { name: 'x.allowwild.example.test' }],
    ['wildcard does not cover its own name: second blocks allowwild', { name: 'allowwild.example.test' }],
    ['a rule only in the second zone applies', { name: 'onlysecond.example.test' }],
    ['block in first beats PASSTHRU in second', { name: 'rev.example.test' }],
    ['first zone rpz-ip vs second zone QNAME local data', { name: 'ipfirst.example.test' }, { note: 'the draft: the earlier zone wins whatever the trigger; qname-wait-recurse no may change that' }],
    ['CNAME chain: block on the target of an allowed name', { name: 'allowalias.example.test' }, { note: 'PASSTHRU on the QNAME: is the CNAME target still checked?' }],
    ['CNAME chain: block on the target of an unlisted name', { name: 'viaalias.example.test' }],
    ['the blocked target itself', { name: 'blockedtarget.example.test' }],
    ['unlisted name with two zones', { name: 'www.example.test' }],
  ]),
  ...rows(LABELS, [
    ['exact over wildcard', { name: 'exact.w.example.test' }],
    ['more labels: *.exact.w over *.w', { name: 'a.exact.w.example.test' }],
    ['wildcard *.w', { name: 'c.w.example.test' }],
    ['more labels: *.deep.w over *.w', { name: 'b.deep.w.example.test' }],
    ['more labels: *.deep.w two labels below', { name: 'a.b.deep.w.example.test' }],
    ['more labels: *.x.deep.w (NXDOMAIN) over *.deep.w', { name: 'y.x.deep.w.example.test' }],
    ['x.deep.w is covered by *.deep.w, not *.x.deep.w', { name: 'x.deep.w.example.test' }],
    ['deep.w is covered by *.w', { name: 'deep.w.example.test' }],
    ['w itself matches no wildcard', { name: 'w.example.test' }],
    ['upper-case name under the most specific wildcard', { name: 'Y.X.DEEP.W.EXAMPLE.TEST' }],
  ]),
  ...rows(TRIGGERS, [
    ['client-IP /32 NXDOMAIN', { name: 'www.example.test', from: '127.0.0.3' }],
    ['client-IP /32 NXDOMAIN, TXT', { name: 'www.example.test', type: 'TXT', from: '127.0.0.3' }],
    ['client-IP /32 NXDOMAIN over TCP', { name: 'www.example.test', from: '127.0.0.3', tcp: true }],
    ['client-IP longest prefix: /32 NODATA over /31 local data', { name: 'www.example.test', from: '127.0.0.4' }],
    ['client-IP /31 local data A', { name: 'www.example.test', from: '127.0.0.5' }],
    ['client-IP /31 local data A: AAAA is NODATA', { name: 'www.example.test', type: 'AAAA', from: '127.0.0.5' }],
    ['client not listed: forwarded', { name: 'www.example.test', from: '127.0.0.2' }],
    ['QNAME rule for an unlisted client', { name: 'cip.example.test' }],
    ['client-IP over QNAME', { name: 'cip.example.test', from: '127.0.0.6' }],
    ['QNAME over Response-IP', { name: 'qvip.example.test' }],
    ['Response-IP for an unlisted client', { name: 'ip1.example.test' }],
    ['client-IP over Response-IP', { name: 'ip1.example.test', from: '127.0.0.6' }],
    ['client-IP PASSTHRU stops the QNAME rule', { name: 'cip.example.test', from: '127.0.0.7' }],
    ['client-IP PASSTHRU stops the Response-IP rule', { name: 'ip1.example.test', from: '127.0.0.7' }],
    ['client-IP DROP', { name: 'www.example.test', from: '127.0.0.8' }],
    ['client-IP TCP-only over UDP', { name: 'www.example.test', from: '127.0.0.10' }],
    ['client-IP TCP-only over TCP', { name: 'www.example.test', from: '127.0.0.10', tcp: true }],
  ]),
  ...rows(RPZ_IP, [
    ['rpz-ip 32.1.2.0.192 NXDOMAIN', { name: 'ip1.example.test' }],
    ['rpz-ip 32.1.2.0.192 over TCP', { name: 'ip1.example.test', tcp: true }],
    ['rpz-ip: upper-case QNAME', { name: 'IP1.EXAMPLE.TEST' }],
    ['rpz-ip 24.0.2.0.192 NODATA', { name: 'ip2.example.test' }],
    ['rpz-ip /32 local data inside a /24', { name: 'ip3.example.test' }],
    ['rpz-ip /32 PASSTHRU hole in a blocked /24', { name: 'ip7.example.test' }],
    ['rpz-ip: address outside every prefix', { name: 'ipout.example.test' }],
    ['rpz-ip: one matching address among several', { name: 'ipmix.example.test' }],
    ['rpz-ip: same prefix length, smallest address wins (.1 NXDOMAIN over .3 local data)', { name: 'ipsmall.example.test' }],
    ['rpz-ip: longest prefix wins (.1/32 NXDOMAIN over .2/24 NODATA)', { name: 'iplong.example.test' }],
    ['rpz-ip: longest prefix wins (.7/32 PASSTHRU over .2/24 NODATA)', { name: 'ip7two.example.test' }],
    ['rpz-ip on the address at the end of a CNAME', { name: 'ipalias.example.test' }],
    ['rpz-ip: AAAA query of an A-only name', { name: 'ip1.example.test', type: 'AAAA' }],
    ['rpz-ip: TXT query of a listed address name', { name: 'ip1.example.test', type: 'TXT' }],
    ['rpz-ip: ANY query of a listed address name', { name: 'ip1.example.test', type: 'ANY' }, { note: 'an A record in an ANY answer' }],
    ['rpz-ip: MX whose exchange has a listed address', { name: 'mxip.example.test', type: 'MX' }, { note: 'addresses in the additional section are not triggers' }],
    ['rpz-ip IPv6 128.1.zz.db8.2001 NXDOMAIN', { name: 'v6one.example.test', type: 'AAAA' }],
    ['rpz-ip IPv6 48.zz.bad.db8.2001 local AAAA (not re-evaluated by the /32)', { name: 'v6bad.example.test', type: 'AAAA' }],
    ['rpz-ip IPv6 /48 local data: A query', { name: 'v6bad.example.test' }],
    ['rpz-ip IPv6 32.zz.db8.2001 NODATA', { name: 'v6other.example.test', type: 'AAAA' }],
    ['rpz-ip IPv6: outside every prefix', { name: 'v6out.example.test', type: 'AAAA' }],
    ['rpz-ip IPv6: longest prefix among two addresses', { name: 'v6both.example.test', type: 'AAAA' }],
    ['rpz-ip: A of a dual-stack name is listed', { name: 'dual.example.test' }],
    ['rpz-ip: AAAA of the same name is not', { name: 'dual.example.test', type: 'AAAA' }],
    ['rpz-ip over TCP, IPv6', { name: 'v6other.example.test', type: 'AAAA', tcp: true }],
  ]),
  ...rows(CHAIN, [
    ['CNAME to a QNAME-blocked target', { name: 'c1.example.test' }],
    ['CNAME to a QNAME-blocked target, AAAA', { name: 'c1.example.test', type: 'AAAA' }],
    ['CNAME to a local-data target', { name: 'c2.example.test' }],
    ['two CNAMEs to a QNAME-blocked target', { name: 'c3.example.test' }],
    ['the blocked target asked directly', { name: 'ctarget.example.test' }],
    ['the local-data target asked directly', { name: 'cmid.example.test' }],
    ['CNAME to an address in a rpz-ip NODATA rule', { name: 'c5.example.test' }],
    ['CNAME to a blocked target over TCP', { name: 'c1.example.test', tcp: true }],
  ]),
  ...OVERRIDE_KINDS.flatMap((kind) =>
    rows(OVERRIDES, [
      [`policy ${kind}: a CNAME . rule`, { name: `o-${kind}-nx.example.test` }],
      ...(kind === 'drop' ? [] : ([[`policy ${kind}: a local data rule`, { name: `o-${kind}-local.example.test` }]] as Row[])),
      [`policy ${kind}: a PASSTHRU rule`, { name: `o-${kind}-pass.example.test` }],
      ...(kind === 'tcp-only' ? ([[`policy ${kind}: a local data rule over TCP`, { name: `o-${kind}-local.example.test`, tcp: true }]] as Row[]) : []),
    ]),
  ),
  ...rows(OVERRIDES, [['a disabled zone does not stop a later zone', { name: 'o-shared.example.test' }]]),
  ...rows(TTL_CAP, [
    ['default max-policy-ttl caps a 60 s local record', { name: 't60.example.test' }, { compareTtl: true }],
    ['default max-policy-ttl: a 2 s record keeps its TTL', { name: 't2.example.test' }, { compareTtl: true }],
    ['default max-policy-ttl on MX local data', { name: 't60m.example.test', type: 'MX' }, { compareTtl: true }],
    ['max-policy-ttl 30 caps a 3600 s record', { name: 't3600.example.test' }, { compareTtl: true }],
    ['max-policy-ttl 30: a 10 s record keeps its TTL', { name: 't10.example.test' }, { compareTtl: true }],
    ['max-policy-ttl 30 on a garden CNAME (and the upstream A after it)', { name: 'tgarden.example.test' }, { compareTtl: true }],
    ['unlisted name keeps the upstream TTL', { name: 'www.example.test' }, { compareTtl: true }],
  ]),
  ...rows(NOT_RECURSIVE_ONLY, [
    ['recursive-only no: RD=0 NXDOMAIN', { name: 'ro-nx.example.test', rd: false }],
    ['recursive-only no: RD=0 local data', { name: 'ro-local.example.test', rd: false }],
    ['recursive-only no: RD=1 NXDOMAIN', { name: 'ro-nx.example.test' }],
    ['recursive-only no: RD=0 over TCP', { name: 'ro-local.example.test', rd: false, tcp: true }],
  ]),
  ...rows(NS_TRIGGERS, [
    ['NSDNAME ns.nsd1.test', { name: 'www.nsd1.test' }, { note: 'does BIND behind "forward only" look up NS records to apply NSDNAME?' }],
    ['NSIP 127.0.0.55/32', { name: 'www.nsd2.test' }, { note: 'does BIND behind "forward only" look up NS addresses to apply NSIP?' }],
    ['NSDNAME, a second question (NS only in earlier authority sections)', { name: 'www.nsd1.test', type: 'TXT' }],
    // Plain forwarded questions for Stopzone, but BIND rewrites them once NSDNAME/NSIP apply (a run showed BIND
    // NXDOMAIN for this NS question and NODATA for the address): known differences, asserted as such.
    ['NS of nsd1.test asked (BIND caches the NS RRset)', { name: 'nsd1.test', type: 'NS' }, { known: NS_KNOWN }],
    ['NSDNAME once the NS RRset is cached', { name: 'www.nsd1.test', type: 'AAAA' }, { known: NS_KNOWN }],
    ['NS of nsd2.test asked', { name: 'nsd2.test', type: 'NS' }, { known: NS_KNOWN }],
    ['address of ns.nsd2.test asked (BIND caches it)', { name: 'ns.nsd2.test' }, { known: NS_KNOWN }],
    ['NSIP once the NS RRset and its address are cached', { name: 'www.nsd2.test', type: 'TXT' }, { known: NS_KNOWN }],
    ['name in neither NS-listed zone', { name: 'www.example.test' }],
  ]),
  ...rows(DRAFT, [
    ['draft: bad.example.com CNAME .', { name: 'bad.example.com' }],
    ['draft: *.bad.example.com CNAME .', { name: 'www.bad.example.com' }],
    ['draft: the parent of a listed name is not listed', { name: 'example.com' }],
    ['draft: nodata.example.com CNAME *.', { name: 'nodata.example.com', type: 'AAAA' }],
    ['draft: ok.example.com CNAME rpz-passthru.', { name: 'ok.example.com' }],
    ['draft: *.ok.example.com CNAME rpz-passthru.', { name: 'x.ok.example.com' }],
    ['draft: walled garden *.garden.test. whose address is in a blocked /24', { name: 'garden.example.com' }, { note: 'are names the policy sent us to checked again?' }],
    ['draft: local data A and AAAA, AAAA asked', { name: 'local.example.com', type: 'AAAA' }],
    ['draft: a hole (32.1.2.0.192 PASSTHRU) in a blocked /24', { name: 'hole.example.com' }],
    ['draft: an address in the blocked /24', { name: 'blocked24.example.com' }],
  ]),
];

// ---------------------------------------------------------------------------------------------------------------
// Upstream data (NSD)
// ---------------------------------------------------------------------------------------------------------------

const SOA = '@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns';

/** Names with specific upstream data, relative to example.test. */
const EXAMPLE_TEST = `
ns            A     127.0.0.53
mail          A     198.51.100.25
ip1           A     192.0.2.1
ip2           A     192.0.2.2
ip3           A     192.0.2.3
ip7           A     192.0.2.7
ipfirst       A     192.0.2.9
ipout         A     198.51.100.7
ipmix         A     198.51.100.8
ipmix         A     192.0.2.2
ipsmall       A     192.0.2.3
ipsmall       A     192.0.2.1
iplong        A     192.0.2.2
iplong        A     192.0.2.1
ip7two        A     192.0.2.7
ip7two        A     192.0.2.2
ipalias       CNAME ip1
mxip          MX    10 ip1
qvip          A     192.0.2.1
v6one         AAAA  2001:db8::1
v6bad         AAAA  2001:db8:bad::5
v6other       AAAA  2001:db8:1::5
v6out         AAAA  3fff::1
v6both        AAAA  2001:db8::1
v6both        AAAA  2001:db8:1::1
dual          A     192.0.2.2
dual          AAAA  3fff::2
allowalias    CNAME blockedtarget
viaalias      CNAME blockedtarget
blockedtarget A     198.51.100.50
c1            CNAME ctarget
ctarget       A     198.51.100.60
c2            CNAME cmid
cmid          CNAME cend
cend          A     198.51.100.61
c3            CNAME c4
c4            CNAME ctarget
c5            CNAME cipend
cipend        A     198.51.100.62
`;

const EXAMPLE_COM = `
hole          A     192.0.2.1
blocked24     A     192.0.2.44
`;

/** Generic data for a name nobody gave specific data: every type the cases ask, outside every rpz-ip prefix. */
function generic(relative: string): string {
  const owner = relative === '' ? '@' : relative;
  return [
    `${owner} 300 A 198.51.100.80`,
    `${owner} 300 AAAA 3fff::80`,
    `${owner} 300 TXT "upstream ${relative || 'apex'}"`,
    `${owner} 300 MX 10 mail`,
    // HTTPS (RFC 9460) in RFC 3597 form: SvcPriority 1, TargetName ".", no parameters.
    `${owner} 300 TYPE65 \\# 3 000100`,
  ].join('\n');
}

function owners(text: string): Set<string> {
  return new Set(text.split('\n').map((line) => line.split(/\s+/)[0] ?? '').filter((o) => o !== ''));
}

/** The zone texts NSD serves: example.test, example.com, garden.test, nsd1.test, nsd2.test. */
export function upstreamZones(cases: readonly Case[]): Array<{ name: string; text: string }> {
  const zone = (origin: string, specific: string): { name: string; text: string } => {
    const taken = owners(specific);
    const generics = new Set<string>();
    for (const c of cases) {
      const name = c.query.name.toLowerCase().replace(/\.$/, '');
      if (name !== origin && !name.endsWith(`.${origin}`)) continue;
      const relative = name === origin ? '' : name.slice(0, -origin.length - 1);
      if (relative.startsWith('nothere') || taken.has(relative || '@')) continue;
      generics.add(relative);
    }
    // Every generic name used in a rule's CNAME target or as a garden also needs data.
    if (origin === 'example.test') generics.add('www');
    const text = `$ORIGIN ${origin}.\n$TTL 300\n${SOA}\n${specific.trim()}\n${[...generics].map(generic).join('\n')}\n`;
    return { name: origin, text };
  };
  return [
    zone('example.test', EXAMPLE_TEST),
    zone('example.com', `ns A 127.0.0.53\n${EXAMPLE_COM}`),
    { name: 'garden.test', text: `$ORIGIN garden.test.\n$TTL 300\n${SOA}\nns A 127.0.0.53\n* A 192.0.2.200\n* AAAA 2001:db8::200\nwalled A 198.51.100.201\nwalled TXT "walled garden"\n` },
    { name: 'nsd1.test', text: `$ORIGIN nsd1.test.\n$TTL 300\n${SOA}\nns A 127.0.0.54\nwww A 198.51.100.70\nwww AAAA 3fff::70\nwww TXT "nsd1"\n` },
    { name: 'nsd2.test', text: `$ORIGIN nsd2.test.\n$TTL 300\n${SOA}\nns A 127.0.0.55\nwww A 198.51.100.71\nwww TXT "nsd2"\n` },
  ];
}
