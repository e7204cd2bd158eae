import { Type, type Static } from '@sinclair/typebox';
import type { Schedule, ZoneWhen } from '../schedule/index.js';
import type { Endpoint, Network } from './address.js';

/**
 * The configuration schema: one declaration gives the TypeScript type, the
 * defaults, the start-up validation and the JSON Schema published for editors
 * (`stopzone.schema.json`, written by `npm run schema`). Each `description`
 * is also what `stopzone serve --help` and docs/configuration.md show.
 */

const hostPort = Type.String({
  pattern: String.raw`^(\[[0-9A-Fa-f:.]+\]|[0-9.]+):[0-9]{1,5}$`,
  description: 'an IP address and port: "192.0.2.1:53" or "[2001:db8::1]:53"',
});

/** A domain name in text: dot-separated labels of 1 to 63 characters, 253 at most in all (RFC 1035 section 2.3.4), an optional final dot. */
const dnsName = (description: string) => Type.String({ pattern: String.raw`^(?=[^\s]{1,254}$)([^.\s]{1,63}\.)*[^.\s]{1,63}\.?$`, description });

const cidr = Type.String({
  pattern: String.raw`^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$`,
  description: 'an address or network in CIDR form: "192.0.2.0/24", "2001:db8::/32", "127.0.0.1"',
});

const Listen = Type.Object(
  {
    addresses: Type.Array(Type.String({ format: 'ip' }), {
      minItems: 1,
      default: ['127.0.0.1', '::1'],
      description: 'Addresses to answer DNS on, UDP and TCP. The container uses ["0.0.0.0", "::"].',
    }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 5353, description: 'DNS port (53 in the container; 0 picks a free port).' }),
    maxUdpPayload: Type.Integer({
      minimum: 512,
      maximum: 65535,
      default: 1232,
      description: 'Largest UDP answer sent to an EDNS client (the DNS flag day 2020 value); clients without EDNS get 512.',
    }),
    tcpIdleTimeoutMs: Type.Integer({
      minimum: 100,
      default: 10000,
      description:
        'A TCP connection with no whole query received and no answer sent for this long, and none in flight, is closed (RFC 7766 section 6.2.3). Bytes that do not complete a query do not count: trickling them keeps no connection open.',
    }),
    tcpMessageTimeoutMs: Type.Integer({
      minimum: 100,
      default: 5000,
      description:
        'A query over TCP, once its first byte has arrived, must arrive whole (its 2-byte length and the message) within this long, or the connection is closed: no client can hold a connection by sending a byte at a time (slowloris). Real clients send a query in one or two segments; 5 s leaves room for a few lost ones on a poor link.',
    }),
    tcpWriteTimeoutMs: Type.Integer({
      minimum: 100,
      default: 10000,
      description: 'A TCP connection with answers waiting to be sent, none of which go out for this long, is reset: its client has stopped reading.',
    }),
    tcpMaxConnections: Type.Integer({
      minimum: 1,
      default: 1000,
      description:
        'Open TCP connections at most, across all listen addresses (with several workers, each holds its share, rounded up). A new connection past it closes the connection idle longest (no query in flight, no answer waiting) to make room; only when every connection is busy is the new one closed at once.',
    }),
    tcpMaxConnectionsPerClient: Type.Integer({
      minimum: 1,
      default: 100,
      description:
        'Open TCP connections at most from one IPv4 address or one IPv6 /64; past it, that client\'s connection idle longest is closed, or the new one when all are busy. Stub resolvers ask over UDP and use TCP only to retry a truncated answer, one short connection per retry, so even a school of a thousand pupils behind one NAT address (or on one /64) rarely holds more than a few at once; 100 leaves room for that while one host can take at most a tenth of tcpMaxConnections. Behind dnsdist or another proxy every connection comes from the proxy: raise this to tcpMaxConnections. With several workers, each holds its share (rounded up), and the kernel spreads a client\'s connections over them.',
    }),
    tcpMaxQueuedBytes: Type.Integer({
      minimum: 1024,
      default: 131072,
      description:
        'Answer bytes waiting to be sent on one TCP connection past which Stopzone stops reading its queries, until the client takes its answers (backpressure). The answers to queries already read (at most 64) are still sent.',
    }),
    tcpMaxQueuedBytesTotal: Type.Integer({
      minimum: 1048576,
      default: 67108864,
      description:
        'Answer bytes waiting to be sent on all TCP connections together, at most (64 MiB by default, 1 MiB at least); past it, the connection with the most waiting (the client that reads least) is reset and its memory freed, rather than every connection being stopped, which would let one client that never reads stall all the others. With several workers, each holds its share.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Where Stopzone answers.' },
);

const Upstream = Type.Object(
  {
    timeoutMs: Type.Integer({ minimum: 10, default: 1000, description: 'Wait this long for one upstream before trying the next.' }),
    deadlineMs: Type.Integer({ minimum: 10, default: 3000, description: 'Give up on a query after this long in all: the client gets stale data or SERVFAIL.' }),
    retries: Type.Integer({ minimum: 0, maximum: 5, default: 1, description: 'After every upstream has failed once, go round them again this many times (within deadlineMs).' }),
    deadAfterFailures: Type.Integer({ minimum: 1, default: 3, description: 'Consecutive failures after which an upstream is skipped.' }),
    probeAfterMs: Type.Integer({ minimum: 100, default: 10000, description: 'A skipped upstream is tried again (probed) after this long.' }),
    udpPayload: Type.Integer({ minimum: 512, maximum: 65535, default: 1232, description: 'EDNS UDP payload size advertised to upstreams.' }),
  },
  { additionalProperties: false, default: {}, description: 'How the upstream resolvers are asked.' },
);

const Cache = Type.Object(
  {
    maxEntries: Type.Integer({ minimum: 0, default: 100000, description: 'Answers kept at most (0 turns the cache off). With several workers, each keeps its own cache with its share of this (rounded up).' }),
    maxBytes: Type.Integer({ minimum: 0, default: 64 * 1024 * 1024, description: 'Bytes of answers kept at most, by all workers\' caches together (each has its share).' }),
    minTtl: Type.Integer({ minimum: 0, default: 0, description: 'Answers are kept at least this many seconds, whatever their TTL.' }),
    maxTtl: Type.Integer({ minimum: 0, default: 86400, description: 'Answers are kept at most this many seconds, whatever their TTL.' }),
    maxNegativeTtl: Type.Integer({ minimum: 0, default: 3600, description: 'NXDOMAIN and NODATA answers are kept at most this long (RFC 2308 section 5).' }),
    serveStale: Type.Boolean({ default: true, description: 'When every upstream fails, answer from expired entries (RFC 8767).' }),
    staleAnswerTtl: Type.Integer({ minimum: 1, default: 30, description: 'TTL given to a stale answer (RFC 8767 recommends 30).' }),
    maxStaleSeconds: Type.Integer({ minimum: 0, default: 86400, description: 'How long past expiry an entry may still be served stale.' }),
  },
  { additionalProperties: false, default: {}, description: 'The answer cache.' },
);

/** RFC 1918, RFC 6598, RFC 4193, loopback and link-local: never an open resolver by default. */
export const DEFAULT_ALLOWED_NETWORKS = [
  '127.0.0.0/8',
  '::1/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  'fc00::/7',
  '169.254.0.0/16',
  'fe80::/10',
];

const Access = Type.Object(
  {
    allow: Type.Array(cidr, {
      default: DEFAULT_ALLOWED_NETWORKS,
      description: 'Client networks that may query; everyone else gets REFUSED. Default: loopback, RFC 1918, RFC 6598, RFC 4193 and link-local.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Who may use Stopzone.' },
);

/** Loopback: queries from this host (a health check, a local proxy or stub resolver) cannot come with a forged source from outside. */
export const DEFAULT_RATE_LIMIT_EXEMPT = ['127.0.0.0/8', '::1/128'];

const RateLimit = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Limit how many UDP queries a second each client prefix gets answered (response rate limiting, as BIND\'s rate-limit). TCP is never limited: the source of a TCP query cannot be forged, and limited UDP clients are sent there. Every worker draws on the same buckets.' }),
    responsesPerSecond: Type.Integer({
      minimum: 1,
      default: 10000,
      description: 'UDP queries a second one client prefix is answered at most, on average. The default leaves room for a school of 2,000 devices behind one NAT address at a busy 3 queries a second each (6,000), and stops one client flooding at tens of thousands.',
    }),
    burst: Type.Integer({ minimum: 1, default: 20000, description: 'Queries a prefix that has been quiet may send at once before the limit applies (the token bucket\'s size): page loads come in bursts of 20-50 queries per device.' }),
    slip: Type.Integer({ minimum: 0, maximum: 10, default: 2, description: 'Of the queries over the limit, every slip-th is answered with an empty TC=1 reply (the client retries over TCP) and the others get nothing; 0 answers none, 1 all (BIND\'s and Knot Resolver\'s default is 2).' }),
    ipv4PrefixLength: Type.Integer({ minimum: 8, maximum: 32, default: 24, description: 'IPv4 clients are counted together per network of this length (32: each address alone).' }),
    ipv6PrefixLength: Type.Integer({ minimum: 16, maximum: 128, default: 56, description: 'IPv6 clients are counted together per network of this length (/56 is what a household or small site is usually given).' }),
    exempt: Type.Array(cidr, {
      default: DEFAULT_RATE_LIMIT_EXEMPT,
      description: 'Clients never limited: loopback by default. Add the address of anything that relays many clients\' queries to Stopzone (dnsdist, a DNS proxy, a NAT larger than the limit allows for).',
    }),
    maxPrefixes: Type.Integer({
      minimum: 64,
      maximum: 1048576,
      default: 16384,
      description: 'Client prefixes tracked at once (rounded up to a power of two; about 45 bytes each, set aside at start-up). When full, the prefix seen least recently makes room, and comes back with a full bucket, so memory stays bounded whatever the number of sources.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Response rate limiting: how many UDP queries a second one client network is answered.' },
);

const Log = Type.Object(
  {
    level: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'pino log level; per-packet errors appear at debug.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Logging (pino JSON lines on stdout).' },
);

/** A name of a client group or schedule, as zones refer to it. */
const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$';
const groupName = (description: string) => Type.String({ pattern: NAME_PATTERN, description });
const scheduleName = (description: string) => Type.String({ pattern: NAME_PATTERN, description });

const Group = Type.Object(
  {
    name: groupName('The group\'s name, as zones\' groups lists and the block log name it: letters, digits, "-" and "_" ("default" is the group of everyone else).'),
    clients: Type.Optional(Type.Array(cidr, { minItems: 1, description: 'Client networks of this group (CIDR); an IPv4-mapped IPv6 client (::ffff:192.0.2.1) matches as its IPv4 address. Left out: any client (then give listeners).' })),
    listeners: Type.Optional(
      Type.Array(Type.String({ format: 'ip' }), {
        minItems: 1,
        description: 'Local addresses (from listen.addresses) a query must arrive on to be in this group, e.g. the DNS server address DHCP gives students. Left out: any. With clients too, both must match.',
      }),
    ),
    upstreams: Type.Optional(
      Type.Array(hostPort, {
        minItems: 1,
        description:
          'This group\'s own upstream resolvers ("ip:port"), tried in order with failover like upstreams, e.g. a family-safe resolver for guests. Each distinct set of upstreams has its own answer cache (cache.maxEntries each). Left out: the top-level upstreams.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Window = Type.Object(
  {
    days: Type.Array(Type.String(), { description: 'Days of the week the window starts on: mon, tue, wed, thu, fri, sat, sun.' }),
    from: Type.String({ description: 'Start, local time "HH:MM" (quoted), "00:00" to "23:59"; inside the window.' }),
    to: Type.String({ description: 'End, local time "HH:MM" (quoted), up to "24:00"; not inside. Earlier than from: the window runs overnight into the next day.' }),
  },
  { additionalProperties: false },
);

const ScheduleConfig = Type.Object(
  {
    timeZone: Type.String({ description: 'An IANA time zone name (Europe/London, America/New_York, UTC): windows and days off are its wall-clock times, DST included.' }),
    windows: Type.Array(Window, { description: 'Weekly windows in which the schedule is in force (see docs/schedules.md).' }),
    daysOff: Type.Optional(Type.Array(Type.String(), { description: 'None by default. Local dates ("2026-12-21") or inclusive ranges ("2026-12-21..2027-01-04") on which no window starts: school holidays.' })),
  },
  { additionalProperties: false },
);

/** RPZ policy overrides (BIND's `policy` clause of `response-policy`). */
export const POLICY_OVERRIDES = ['given', 'disabled', 'passthru', 'drop', 'tcp-only', 'nxdomain', 'nodata', 'cname', 'stop-page'] as const;

const PolicyZone = Type.Object(
  {
    name: dnsName('The policy zone\'s name (its origin), a domain name, e.g. "school.rpz".'),
    file: Type.Optional(Type.String({ minLength: 1, description: 'The zone\'s file, relative to the config file; watched: a change is loaded once the file has stopped changing (policy.fileSettleMs), and SIGHUP reloads every zone. Give exactly one of file, url or primaries.' })),
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'Download the zone or list from this http(s) URL, every refreshSeconds; an unchanged list costs nothing (ETag / If-Modified-Since). Give exactly one of file, url or primaries.' })),
    refreshSeconds: Type.Integer({ minimum: 1, default: 3600, description: 'How often a url zone is fetched again.' }),
    download: Type.Object(
      {
        maxBytes: Type.Integer({
          minimum: 1024,
          default: 268435456,
          description: 'A download is stopped, and the zone in force kept, once its body passes this many bytes (256 MiB by default), counted as they arrive and after gzip or deflate decoding.',
        }),
        timeoutSeconds: Type.Integer({ minimum: 1, default: 300, description: 'A download that has not finished after this long is stopped, however steadily bytes arrive (the zone in force stays).' }),
        stallSeconds: Type.Integer({ minimum: 1, default: 30, description: 'A download is stopped when no byte (header or body) arrives for this long.' }),
        maxRedirects: Type.Integer({ minimum: 0, maximum: 20, default: 5, description: 'HTTP redirects followed at most; only to http: and https:, never from https: down to http:.' }),
      },
      { additionalProperties: false, default: {}, description: 'Download limits (url zones only); response headers are limited to 16 KiB.' },
    ),
    primaries: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'Transfer the zone from these primaries ("192.0.2.1", "192.0.2.1:5300", "[2001:db8::1]:53"), tried in order: AXFR first, then IXFR when the SOA serial moves, on the SOA refresh timer and at once on a NOTIFY from one of these addresses. Give file, url or primaries.',
      }),
    ),
    key: Type.Optional(Type.String({ minLength: 1, description: 'The name of a tsigKeys entry: transfers are signed with it and answers must be; NOTIFY must be signed with it too.' })),
    transfer: Type.Object(
      {
        timeoutSeconds: Type.Integer({ minimum: 1, default: 300, description: 'A transfer that takes longer is abandoned (the zone in force stays).' }),
        maxBytes: Type.Integer({ minimum: 1024, default: 1073741824, description: 'A transfer larger than this is abandoned (1 GiB by default): the bytes received, and what its records take as text (a name compressed on the wire is written out whole).' }),
        minRefreshSeconds: Type.Integer({ minimum: 1, default: 60, description: 'The SOA refresh and retry timers are raised to at least this (BIND\'s min-refresh-time).' }),
        maxRefreshSeconds: Type.Integer({ minimum: 1, default: 86400, description: 'The SOA refresh and retry timers are lowered to at most this.' }),
        whenExpired: Type.Union([Type.Literal('enforce'), Type.Literal('drop')], {
          default: 'enforce',
          description: 'When no primary has answered for the SOA expire time: enforce keeps the last good version in force with a loud warning (a safety list must not vanish because its primary is down); drop stops enforcing the zone, as BIND does.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Zone transfer limits and timers (primaries zones only).' },
    ),
    required: Type.Boolean({ default: true, description: 'Until this zone has loaded once (from its source or its last-good copy), queries get SERVFAIL, never an unfiltered answer.' }),
    format: Type.Union([Type.Literal('rpz'), Type.Literal('domains'), Type.Literal('hosts'), Type.Literal('adblock')], {
      default: 'rpz',
      description: 'rpz: a zone file. domains: one name per line. hosts: "0.0.0.0 name" lines. adblock: "||name^" lines. Plain lists block each name and every name below it with the zone\'s policy (NXDOMAIN unless overridden).',
    }),
    maxLineLength: Type.Integer({
      minimum: 1024,
      maximum: 1 << 30,
      default: 1 << 20,
      description:
        'Characters one line of the zone or list may hold (and one record that parentheses spread over lines); a longer one fails the load at once with file:line, and the version in force stays. The default, 1 MiB, holds the longest record a last-good copy writes on one line (64 KiB of TXT data escaped byte by byte is some 260,000 characters); RPZ lines are short.',
    }),
    policy: Type.Union(
      POLICY_OVERRIDES.map((p) => Type.Literal(p)),
      { default: 'given', description: 'Override every rule\'s action: given (the zone\'s own), disabled (log "would have", change nothing), passthru, drop, tcp-only, nxdomain, nodata, cname (to `cname`), stop-page (A/AAAA of stopPage.addresses).' },
    ),
    cname: Type.Optional(dnsName('The target name for policy "cname" (a domain name).')),
    maxPolicyTtl: Type.Integer({ minimum: 0, default: 5, description: 'TTL cap on policy answers (BIND\'s max-policy-ttl).' }),
    breakDnssec: Type.Boolean({
      default: true,
      description:
        'Rewrite answers to DO=1 queries for DNSSEC-signed data too, so that the DO bit is no way around the list (BIND\'s break-dnssec yes). false is BIND\'s default: a validating client that sets DO gets the signed data of a listed name unchanged.',
    }),
    logName: Type.Optional(Type.String({ description: 'The name of the list in logs and on the stop page (default: the zone name).' })),
    ede: Type.Object(
      {
        code: Type.Union([Type.Literal(15), Type.Literal(16), Type.Literal(17)], { default: 15, description: 'RFC 8914 code: 15 Blocked, 16 Censored (lists imposed by law), 17 Filtered.' }),
        text: Type.Optional(Type.String({ description: 'EXTRA-TEXT for the EDE option (default: names the list).' })),
      },
      { additionalProperties: false, default: {}, description: 'Extended DNS Error attached to this zone\'s answers.' },
    ),
    log: Type.Boolean({ default: true, description: 'Write a block-log event for each hit.' }),
    groups: Type.Optional(
      Type.Array(
        Type.Union([
          groupName('A client group the zone applies to at every hour.'),
          Type.Object(
            {
              name: groupName('A client group the zone applies to.'),
              during: Type.Optional(scheduleName('Only while this schedule is in force (inside its windows, not on its days off).')),
              outside: Type.Optional(scheduleName('Only while this schedule is not in force.')),
            },
            { additionalProperties: false, description: '{ name, during } or { name, outside }: the zone applies to that group only inside, or only outside, a schedule\'s windows.' },
          ),
        ]),
        {
          minItems: 1,
          description:
            'The client groups this zone applies to (see groups), each by name, or as { name, during: <schedule> } or { name, outside: <schedule> }; "default" is the group of every client no group matches. Left out: every group at every hour. A zone with page.legal true applies to every group at every hour: a list here that leaves one out is refused.',
        },
      ),
    ),
    page: Type.Object(
      {
        title: Type.Optional(Type.String({ description: 'Stop page heading (default: "This site is blocked").' })),
        reason: Type.Optional(Type.String({ description: 'Why names on this list are blocked, in one or two sentences.' })),
        reference: Type.Optional(Type.String({ description: 'The law or policy behind the list, as text.' })),
        referenceUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'A link (http: or https:) to that law or policy.' })),
        contact: Type.Optional(Type.String({ description: 'Whom to ask or how to appeal, as text.' })),
        contactUrl: Type.Optional(Type.String({ pattern: '^(https?://|mailto:)', description: 'A link (http:, https: or mailto:) for appeals.' })),
        legal: Type.Boolean({ default: false, description: 'A list imposed by law: the page answers HTTP 451 (else 403).' }),
      },
      { additionalProperties: false, default: {}, description: 'What the stop page says for this list.' },
    ),
  },
  { additionalProperties: false },
);

const Policy = Type.Object(
  {
    zones: Type.Array(PolicyZone, { default: [], description: 'Response Policy Zones, in order of precedence: an earlier zone wins. Left out, the shipped zones (zones/allow.rpz, bypass-guard.rpz and local.rpz, as with no config file); [] for none, which start-up warns about.' }),
    startupWaitSeconds: Type.Integer({
      minimum: 0,
      default: 30,
      description: 'At start-up, how long a first download or transfer (a url or primaries zone with no last-good copy yet) may hold back serving; after that Stopzone serves while it goes on, and queries get SERVFAIL until every required zone has loaded.',
    }),
    fileSettleMs: Type.Integer({
      minimum: 0,
      default: 1000,
      description: 'A zone file is read only once it has not changed for this long (editors and copies write in several steps), and read again if it changed while being read.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The RPZ policy.' },
);

const TsigKey = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The key name, as the primary knows it (e.g. "transfer-key").' }),
    algorithm: Type.Union([Type.Literal('hmac-sha256'), Type.Literal('hmac-sha512'), Type.Literal('hmac-sha1')], { default: 'hmac-sha256', description: 'The HMAC algorithm (hmac-sha1 only for old primaries).' }),
    secret: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$', description: 'The shared secret, base64, as tsig-keygen prints it. Give secret or secretFile.' })),
    secretFile: Type.Optional(
      Type.String({ minLength: 1, description: 'A file holding the secret (relative to the config file): bare base64, or a BIND key file as tsig-keygen writes it (its secret and algorithm are read). Give secret or secretFile.' }),
    ),
  },
  { additionalProperties: false },
);

const State = Type.Object(
  {
    dir: Type.String({ default: 'state', description: 'Where last-good copies of downloaded and transferred zones are kept (relative to the config file; /var/lib/stopzone in the container), so a restart needs no network.' }),
  },
  { additionalProperties: false, default: {}, description: 'Files Stopzone keeps between runs.' },
);

const StopPage = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Serve the stop page (HTTP and HTTPS) on the listen addresses below.' }),
    addresses: Type.Array(Type.String({ format: 'ip' }), {
      default: ['127.0.0.1'],
      description: 'Addresses DNS answers for names blocked with policy "stop-page" (A for IPv4, AAAA for IPv6): where clients reach the stop page.',
    }),
    http: Type.Array(hostPort, { default: ['127.0.0.1:8080'], description: 'Where the stop page listens for HTTP (port 80 in the container).' }),
    https: Type.Array(hostPort, { default: ['127.0.0.1:8443'], description: 'Where it listens for HTTPS (port 443 in the container).' }),
    maxConnections: Type.Integer({
      minimum: 1,
      default: 1000,
      description: 'Open connections at most on each HTTP and HTTPS listener of the stop page; further connections are closed at once (they share the process\'s file descriptors with DNS).',
    }),
    caCertFile: Type.Optional(Type.String({ description: 'PEM certificate of a CA your managed devices trust: with it, HTTPS visits get a page (certificates minted per name); without it, they fail at once.' })),
    caKeyFile: Type.Optional(Type.String({ description: 'PEM private key of that CA.' })),
    certificatesPerSecond: Type.Number({
      exclusiveMinimum: 0,
      default: 10,
      description:
        'With a CA: new certificates signed per second at most, for names the policy sends to the stop page (each costs ~12-14 ms of CPU with an RSA-4096 CA, ~6 ms with a P-256 one); a name over the cap gets the fast TLS refusal. Cached certificates are not counted.',
    }),
    certificateBurst: Type.Integer({ minimum: 1, default: 20, description: 'With a CA: new certificates that may be signed at once, above the per-second rate, after a quiet spell.' }),
    templatesDir: Type.Optional(Type.String({ description: 'Directory of page templates and translations (see docs/stop-page.md).' })),
  },
  { additionalProperties: false, default: {}, description: 'The stop page: what blocked visitors see.' },
);

const BlockLog = Type.Object(
  {
    destination: Type.Union([Type.Literal('stdout'), Type.Literal('file'), Type.Literal('both')], { default: 'stdout', description: 'Where block events go: stdout (containers), a rotated file, or both.' }),
    file: Type.String({ default: '/var/log/stopzone/blocks.log', description: 'The block-log file, for destination file or both.' }),
    rotateSize: Type.Union([Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?\\s*([kKmMgG]([iI]?[bB])?|[bB])?$' }), Type.Number({ exclusiveMinimum: 0 })], {
      default: '100m',
      description: 'Rotate the file at this size: bytes (b), KiB (k, KB, KiB), MiB (m, MB, MiB) or GiB (g, GB, GiB), e.g. 100m or 1GB; a bare number is MiB.',
    }),
    rotateFrequency: Type.Union([Type.Literal('daily'), Type.Literal('hourly'), Type.Integer({ minimum: 1000 })], {
      default: 'daily',
      description: 'Rotate the file at least this often: daily, hourly, or a number of milliseconds (at least 1000).',
    }),
    keepFiles: Type.Integer({ minimum: 1, default: 14, description: 'Rotated files kept.' }),
    client: Type.Union([Type.Literal('keep'), Type.Literal('truncate'), Type.Literal('hash')], {
      default: 'keep',
      description: 'Client address in events: keep it, truncate it (/24 for IPv4, /56 for IPv6), or replace it by a keyed hash.',
    }),
    hashKey: Type.Optional(Type.String({ minLength: 16, description: 'Secret for client "hash" (at least 16 characters; never logged). Without it, a random key per start.' })),
    bufferEvents: Type.Integer({ minimum: 100, default: 10000, description: 'Events waiting to be written at most; more are dropped and counted, never delaying an answer.' }),
    passthru: Type.Boolean({ default: true, description: 'Log PASSTHRU hits (allow lists), at debug level.' }),
  },
  { additionalProperties: false, default: {}, description: 'The block log: one JSON event per policy hit.' },
);

/** A password hash as `stopzone passwd` prints it: scrypt in PHC string form (cost as log2 N, block size, parallelism, salt, hash). */
export const PASSWORD_HASH_PATTERN = String.raw`^\$scrypt\$ln=[0-9]{1,2},r=[0-9]{1,2},p=[0-9]{1,2}\$[A-Za-z0-9+/]{16,}={0,2}\$[A-Za-z0-9+/]{43,}={0,2}$`;

const ApiToken = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'What the audit log calls the token\'s holder (letters, digits, ".", "-" and "_").' }),
    hash: Type.String({ pattern: '^sha256:[0-9a-f]{64}$', description: 'The token\'s SHA-256 as `stopzone passwd --token` prints it ("sha256:" and 64 hex digits); the token itself is never stored.' }),
    role: Type.Union([Type.Literal('read'), Type.Literal('admin')], { default: 'read', description: 'read: look only (events, dashboard, why, rules, pauses, audit); admin: also add and undo rules and pauses.' }),
  },
  { additionalProperties: false },
);

const Store = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Keep block events in an SQLite database beside the block log, for the admin console\'s search and dashboard (see docs/console.md). A file that cannot be opened or written is reported and DNS goes on answering.',
    }),
    file: Type.String({ minLength: 1, default: 'events.sqlite', description: 'The database file, relative to state.dir (the container\'s volume); an absolute path puts it elsewhere. SQLite adds two files beside it (-wal, -shm).' }),
    retentionDays: Type.Integer({ minimum: 1, default: 90, description: 'Events older than this many days are deleted (in batches, every hour), as Pi-hole keeps its query database.' }),
    queueLimit: Type.Integer({
      minimum: 100,
      default: 10000,
      description:
        'Events waiting to be written at most. Events are written in batches by a thread of their own; past this many waiting (the disk stalls, the file is locked), further events are dropped and counted (stopzone_store_events_dropped_total), never delaying an answer. 10,000 holds five seconds at 2,000 blocks a second, in a few MiB.',
    }),
    allQueries: Type.Boolean({
      default: false,
      description: 'Also keep every query that no policy rule answered (msg "query"), with its client written as blockLog.client says. Off by default: it stores what every client asks.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The event store: block events kept for search, in SQLite.' },
);

const Admin = Type.Object(
  {
    listen: Type.Array(hostPort, { default: ['127.0.0.1:9153'], description: 'Where /metrics (Prometheus), /healthz and /readyz are served, and the console with its API unless console.enabled is false.' }),
    passwordHash: Type.Optional(
      Type.String({
        pattern: PASSWORD_HASH_PATTERN,
        description:
          'The console password as a scrypt hash, as `stopzone passwd` prints it (or STOPZONE_ADMIN_PASSWORD_HASH). Required when an admin.listen address is not on loopback and the console is on: the server refuses to start without it. Left out on loopback, the console asks for no password (anyone on this host may use it).',
      }),
    ),
    tokens: Type.Array(ApiToken, { default: [], description: 'API tokens for scripts (`Authorization: Bearer <token>`), each with a role.' }),
    certFile: Type.Optional(Type.String({ minLength: 1, description: 'A PEM certificate (chain) for HTTPS on every admin.listen address (relative to the config file); give keyFile too. Without them the admin listener speaks plain HTTP.' })),
    keyFile: Type.Optional(Type.String({ minLength: 1, description: 'The PEM private key of admin.certFile.' })),
    sessionMinutes: Type.Integer({ minimum: 5, maximum: 10080, default: 480, description: 'A console login lasts this long (a school day), then the password is asked again; logging out ends it at once.' }),
    loginAttemptsPerMinute: Type.Integer({ minimum: 1, default: 10, description: 'Login attempts one client address may make per minute, right or wrong; past it the login answers 429 until the minute is over.' }),
  },
  { additionalProperties: false, default: {}, description: 'The admin listener: metrics, health, and the console.' },
);

const Console = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Serve the console (its pages and the /api it uses, docs/console.md) on the admin listener beside /metrics. False: metrics and health only, and no password is needed off loopback.' }),
    allowZone: Type.Optional(Type.String({ minLength: 1, description: 'The policy zone (by name; one with a file) that "allow" in the console writes "name CNAME rpz-passthru." to. Left out: allow.rpz, when a zone of that name has a file.' })),
    blockZone: Type.Optional(Type.String({ minLength: 1, description: 'The policy zone (by name; one with a file) that "block" in the console writes "name CNAME ." to. Left out: local.rpz, when a zone of that name has a file.' })),
  },
  { additionalProperties: false, default: {}, description: 'The admin console: block log, why, allow/block with undo, pauses, audit log (docs/console.md).' },
);

export const ConfigSchema = Type.Object(
  {
    listen: Listen,
    upstreams: Type.Array(hostPort, {
      minItems: 1,
      default: ['9.9.9.9:53', '149.112.112.112:53'],
      description: 'Upstream resolvers, tried in order with failover. Default: Quad9.',
    }),
    upstream: Upstream,
    cache: Cache,
    workers: Type.Union([Type.Integer({ minimum: 1, maximum: 64 }), Type.Literal('auto')], {
      default: 'auto',
      description:
        'Event loops answering DNS, each in a worker thread with its own sockets on the same address and port (the kernel spreads queries over them) and its own answer cache; zone loading, transfers, NOTIFY, the stop page, the block log and the admin listener stay on the main thread. auto: the CPUs this process may run on (os.availableParallelism(); set a number in a container limited by a CPU quota, which that does not see). 1: one loop on the main thread, no worker thread. See docs/scale.md.',
    }),
    access: Access,
    rateLimit: RateLimit,
    groups: Type.Array(Group, {
      default: [],
      description:
        'Client groups, matched in order (the first whose clients and listeners both match wins); a client no group matches is in the group "default". Zones name the groups they apply to (policy.zones[].groups).',
    }),
    schedules: Type.Record(Type.String({ pattern: NAME_PATTERN }), ScheduleConfig, {
      default: {},
      description: 'Named weekly schedules (time zone, windows, days off), for policy.zones[].groups entries with during or outside. See docs/schedules.md.',
    }),
    policy: Policy,
    stopPage: StopPage,
    tsigKeys: Type.Array(TsigKey, { default: [], description: 'TSIG keys (RFC 8945) for zone transfers and NOTIFY, named by policy.zones[].key.' }),
    state: State,
    blockLog: BlockLog,
    store: Store,
    admin: Admin,
    console: Console,
    log: Log,
  },
  {
    additionalProperties: false,
    $id: 'https://stopzone.invalid/stopzone.schema.json',
    title: 'Stopzone configuration (stopzone.yaml)',
  },
);

type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The configuration as the schema validates it, every default filled in: addresses and networks still text. */
export type RawConfig = Omit<Static<typeof ConfigSchema>, 'log'> & { log: { level: LogLevel } };

type RawZone = RawConfig['policy']['zones'][number];

/** The validated configuration, every default filled in and every address and network parsed once (address.ts). */
/** A client group, parsed: its networks and the local addresses (IPv4-mapped ones as IPv4) it matches on; undefined: any. */
export interface GroupConfig {
  readonly name: string;
  readonly clients?: readonly Network[];
  readonly listeners?: readonly string[];
  /** The group's own upstreams; undefined: the top-level ones. */
  readonly upstreams?: readonly Endpoint[];
}

/** The group of every client that no configured group matches: index 0 of the groups' numbering. */
export const DEFAULT_GROUP = 'default';

export type Config = Omit<RawConfig, 'workers' | 'upstreams' | 'access' | 'rateLimit' | 'policy' | 'stopPage' | 'admin' | 'groups' | 'schedules'> & {
  /** Answering event loops, `auto` resolved to the CPUs available (os.availableParallelism()). */
  workers: number;
  /** Every group in matching order after "default", which is first here (index 0) and matched last. */
  groups: GroupConfig[];
  schedules: Record<string, Schedule>;
  upstreams: Endpoint[];
  access: { allow: Network[] };
  rateLimit: Omit<RawConfig['rateLimit'], 'exempt'> & { exempt: Network[] };
  policy: Omit<RawConfig['policy'], 'zones'> & {
    zones: Array<Omit<RawZone, 'primaries' | 'groups'> & { primaries?: Endpoint[]; groups: readonly ZoneWhen[] }>;
  };
  stopPage: Omit<RawConfig['stopPage'], 'http' | 'https'> & { http: Endpoint[]; https: Endpoint[] };
  admin: Omit<RawConfig['admin'], 'listen'> & { listen: Endpoint[] };
};
