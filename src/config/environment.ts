/**
 * The environment variables a container needs, each overriding one config
 * key. The only place (with the CLI) that knows their names.
 */
export const ENVIRONMENT_OVERRIDES = [
  { variable: 'STOPZONE_LISTEN_ADDRESSES', path: ['listen', 'addresses'], kind: 'list', example: '0.0.0.0,::' },
  { variable: 'STOPZONE_LISTEN_PORT', path: ['listen', 'port'], kind: 'integer', example: '53' },
  { variable: 'STOPZONE_UPSTREAMS', path: ['upstreams'], kind: 'list', example: '9.9.9.9:53,149.112.112.112:53' },
  { variable: 'STOPZONE_LOG_LEVEL', path: ['log', 'level'], kind: 'string', example: 'debug' },
] as const;

type Raw = Record<string, unknown>;

/**
 * Writes the overrides present in `env` into the raw (unvalidated) config and
 * returns which key paths came from which variable, for error messages.
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
          : text.trim();
    let target = raw;
    const [first, second] = override.path;
    if (second !== undefined) {
      const section = raw[first];
      target = typeof section === 'object' && section !== null && !Array.isArray(section) ? (section as Raw) : {};
      raw[first] = target;
      target[second] = value;
    } else {
      raw[first] = value;
    }
    origins.set(override.path.join('.'), override.variable);
  }
  return origins;
}
