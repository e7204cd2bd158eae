/**
 * The environment variables a container needs, each overriding one config
 * key. The only place (with the CLI) that knows their names. Lists are
 * comma-separated; an unset or empty variable leaves the key alone.
 */
export const ENVIRONMENT_OVERRIDES = [
  { variable: 'STOPZONE_LISTEN_ADDRESSES', path: ['listen', 'addresses'], kind: 'list', example: '0.0.0.0,::' },
  { variable: 'STOPZONE_LISTEN_PORT', path: ['listen', 'port'], kind: 'integer', example: '53' },
  // A container limited by a CPU quota still sees every CPU of the host: the admin says how many loops it may use.
  { variable: 'STOPZONE_WORKERS', path: ['workers'], kind: 'integer', example: '2' },
  { variable: 'STOPZONE_UPSTREAMS', path: ['upstreams'], kind: 'list', example: '9.9.9.9:53,149.112.112.112:53' },
  { variable: 'STOPZONE_ACCESS_ALLOW', path: ['access', 'allow'], kind: 'list', example: '10.0.0.0/8,192.168.0.0/16' },
  // The address clients are sent to for blocked names: the host's LAN address, which only the admin knows.
  { variable: 'STOPZONE_STOP_PAGE_ADDRESSES', path: ['stopPage', 'addresses'], kind: 'list', example: '192.168.1.2' },
  { variable: 'STOPZONE_STOP_PAGE_HTTP', path: ['stopPage', 'http'], kind: 'list', example: '0.0.0.0:80' },
  { variable: 'STOPZONE_STOP_PAGE_HTTPS', path: ['stopPage', 'https'], kind: 'list', example: '0.0.0.0:443' },
  { variable: 'STOPZONE_ADMIN_LISTEN', path: ['admin', 'listen'], kind: 'list', example: '0.0.0.0:9153' },
  // The console's password off loopback, without writing the hash into a file (stopzone passwd prints it).
  { variable: 'STOPZONE_ADMIN_PASSWORD_HASH', path: ['admin', 'passwordHash'], kind: 'string', example: '$scrypt$ln=15,r=8,p=1$...' },
  { variable: 'STOPZONE_CONSOLE_ENABLED', path: ['console', 'enabled'], kind: 'boolean', example: 'true' },
  { variable: 'STOPZONE_STATE_DIR', path: ['state', 'dir'], kind: 'string', example: '/var/lib/stopzone' },
  { variable: 'STOPZONE_LOG_LEVEL', path: ['log', 'level'], kind: 'string', example: 'debug' },
] as const;

type Raw = Record<string, unknown>;

/**
 * Writes the overrides present in `env` into the raw (unvalidated) config and
 * returns which key paths ("stopPage.addresses") came from which variable, so
 * that a bad value is reported under the variable's name, not the file's.
 *
 * Paths are one or two levels deep. A section the file leaves out or empty
 * (`stopPage:`) becomes a mapping; a section the file gives a wrong type
 * (`stopPage: 80`) is left alone, so validation reports the file's mistake.
 */
export function applyEnvironment(raw: Raw, env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const origins = new Map<string, string>();
  for (const override of ENVIRONMENT_OVERRIDES) {
    const text = env[override.variable];
    if (text === undefined || text === '') continue;
    const value =
      override.kind === 'list'
        ? text.split(',').map((item) => item.trim()).filter((item) => item !== '')
        : override.kind === 'integer' && /^\s*\d+\s*$/.test(text)
          ? Number(text)
          : override.kind === 'boolean' && /^\s*(true|false)\s*$/i.test(text)
            ? /true/i.test(text)
            : text.trim(); // a string, or a would-be integer or boolean that is not one (validation then names the variable)
    const [first, second] = override.path;
    if (second === undefined) {
      raw[first] = value;
    } else {
      const section = raw[first] ?? {};
      if (typeof section !== 'object' || Array.isArray(section)) continue;
      raw[first] = section;
      (section as Raw)[second] = value;
    }
    origins.set(override.path.join('.'), override.variable);
  }
  return origins;
}
