import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';
import { applyEnvironment } from './environment.js';
import { ConfigSchema, type Config, type RawConfig } from './schema.js';
import { readAddresses } from './read-addresses.js';
import { readGroups } from './read-groups.js';
import { SHIPPED_ZONES } from './shipped-zones.js';
import { checkMeaning } from './check-meaning.js';

if (!FormatRegistry.Has('ip')) FormatRegistry.Set('ip', (value) => isIP(value) !== 0);

/** Keys that were removed, and why: said beside "unknown key" so an admin with an older config learns what changed. */
const REMOVED_KEYS: Readonly<Record<string, string>> = {
  recursiveOnly: 'removed: policy now applies to every query whatever its RD bit, and RD=0 queries are answered from the cache only, so RD=0 is no way around a list',
};

/** TypeBox's words for a value of the wrong shape, as an admin would say them. */
const SHAPES: Readonly<Record<string, string>> = { 'Expected array': 'a list', 'Expected object': 'a mapping of keys', 'Expected boolean': 'true or false' };

/**
 * Parses and validates a configuration: YAML text (null for the embedded
 * defaults), then environment overrides, then schema defaults. Throws a
 * ConfigError naming file, line, key, the value found and what is expected.
 * The result is deeply frozen.
 */
export function parseConfig(text: string | null, env: Readonly<Record<string, string | undefined>>, source = 'stopzone.yaml', baseDir = process.cwd()): Config {
  const lines = new LineCounter();
  const document = text === null ? null : parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (document !== null && document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = error.linePos?.[0]?.line;
    throw new ConfigError(`${source}${line === undefined ? '' : `:${line}`}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  const parsed: unknown = document?.toJS() ?? {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${source}: found ${describe(parsed)} at the top level; expected a mapping of keys (listen, upstreams, ...)`);
  }
  const raw = parsed as Record<string, unknown>;
  keepShippedZones(raw);
  const origins = applyEnvironment(raw, env);
  const withDefaults = Value.Default(ConfigSchema, raw);

  /** "file:line: key" for a key path; `label` replaces the key shown (the line is still the path's own). */
  const where = (path: string[], label = path.join('.') || '(top level)'): string => {
    const key = label;
    const variable = origins.get(path.slice(0, 2).join('.')) ?? origins.get(path.slice(0, 1).join('.'));
    if (variable !== undefined) return `${variable} (${key})`;
    const node = document?.getIn(path, true) as { range?: [number, number] } | undefined;
    const line = node?.range === undefined ? undefined : lines.linePos(node.range[0]).line;
    return `${source}${line === undefined ? '' : `:${line}`}: ${key}`;
  };

  const first = Value.Errors(ConfigSchema, withDefaults).First();
  if (first !== undefined) {
    const path = first.path.split('/').slice(1);
    if (first.message === 'Unexpected property') {
      const removed = REMOVED_KEYS[path.at(-1) ?? ''];
      const hint = removed === undefined ? '' : ` (${removed})`;
      throw new ConfigError(`${where(path, path.slice(0, -1).join('.') || '(top level)')}: unknown key "${path.at(-1)}"${hint}; expected one of: ${knownKeys(path.slice(0, -1)).join(', ')}`);
    }
    // A value of the wrong shape (one value for a list): the shape first, since a description need not name it.
    const shape = SHAPES[first.message];
    const description = first.schema.description?.replace(/\.$/, '');
    const expected = shape === undefined ? (description ?? first.message.replace(/^Expected /, '')) : `${shape}${description === undefined ? '' : ` (${description})`}`;
    throw new ConfigError(`${where(path)}: found ${describe(first.value)}; expected ${expected}`);
  }
  const config = withDefaults as RawConfig;
  // Files are named relative to the config file.
  for (const zone of config.policy.zones) if (zone.file !== undefined) (zone as { file: string }).file = resolve(baseDir, zone.file);
  (config.state as { dir: string }).dir = resolve(baseDir, config.state.dir);
  const stopPage = config.stopPage as { caCertFile?: string; caKeyFile?: string; templatesDir?: string };
  for (const key of ['caCertFile', 'caKeyFile', 'templatesDir'] as const) if (stopPage[key] !== undefined) stopPage[key] = resolve(baseDir, stopPage[key]);
  (config.blockLog as { file: string }).file = resolve(baseDir, config.blockLog.file);
  const admin = config.admin as { certFile?: string; keyFile?: string };
  for (const key of ['certFile', 'keyFile'] as const) if (admin[key] !== undefined) admin[key] = resolve(baseDir, admin[key]);
  (config.store as { file: string }).file = resolve(config.state.dir, config.store.file);
  for (const [i, key] of config.tsigKeys.entries()) {
    if ((key.secret === undefined) === (key.secretFile === undefined)) {
      throw new ConfigError(`${where(['tsigKeys', String(i)])}: key "${key.name}" has ${key.secret === undefined ? 'neither' : 'both'} secret and secretFile; expected exactly one`);
    }
    if (key.secretFile !== undefined) {
      const path = resolve(baseDir, key.secretFile);
      const read = readKeyFile(path, key.name);
      if ('problem' in read) throw new ConfigError(`${where(['tsigKeys', String(i), 'secretFile'])}: ${read.problem}`);
      Object.assign(key, { secretFile: path, secret: read.secret, ...(read.algorithm !== undefined && { algorithm: read.algorithm }) });
    }
  }
  const grouped = readGroups(config);
  const typed = 'expected' in grouped ? grouped : readAddresses(config, grouped);
  const problem = 'expected' in typed ? typed : checkMeaning(typed);
  if (problem !== null) throw new ConfigError(`${where(problem.path)}: found ${describe(problem.value)}; expected ${problem.expected}`);
  return deepFreeze(typed as Config);
}

/**
 * A TSIG secret file: bare base64, or a BIND key file as tsig-keygen writes it
 * (`key "name" { algorithm hmac-sha256; secret "..."; };`), whose secret and
 * algorithm are taken.
 */
function readKeyFile(path: string, name: string): { secret: string; algorithm?: RawConfig['tsigKeys'][number]['algorithm'] } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problem: `cannot read ${path}: ${(error as Error).message}` };
  }
  const bare = text.trim();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(bare)) return { secret: bare };
  const secret = /secret\s+"([A-Za-z0-9+/]+={0,2})"/.exec(text)?.[1];
  const algorithm = /algorithm\s+"?(hmac-sha256|hmac-sha512|hmac-sha1)"?\s*;/i.exec(text)?.[1]?.toLowerCase() as 'hmac-sha256' | 'hmac-sha512' | 'hmac-sha1' | undefined;
  if (secret === undefined) return { problem: `${path} holds no secret for key "${name}"; expected base64, or a BIND key file with secret "..." (as tsig-keygen writes)` };
  return algorithm === undefined ? { secret } : { secret, algorithm };
}

/**
 * A config that does not list policy zones (no `policy`, or no `policy.zones`)
 * gets the shipped ones, as running with no file does: leaving them out of a
 * file must not quietly turn filtering off. `zones: []` says "none" on purpose
 * (the server then warns at start-up).
 */
function keepShippedZones(raw: Record<string, unknown>): void {
  const policy = raw.policy === undefined ? {} : raw.policy;
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy) || 'zones' in policy) return; // a wrong shape is the schema's to report
  raw.policy = { ...policy, zones: SHIPPED_ZONES.map((zone) => ({ ...zone })) };
}

/** Reads the file at `path` (or the embedded defaults when undefined) and parses it. */
export function loadConfig(path: string | undefined, env: Readonly<Record<string, string | undefined>>): Config {
  if (path === undefined) return parseConfig(null, env, '(embedded defaults)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read the configuration file: ${(error as Error).message}`);
  }
  return parseConfig(text, env, path, dirname(resolve(path)));
}

function knownKeys(path: string[]): string[] {
  let schema: { properties?: Record<string, unknown> } = ConfigSchema;
  for (const key of path) schema = (schema.properties?.[key] ?? {}) as typeof schema;
  return Object.keys(schema.properties ?? {});
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return `a list (${JSON.stringify(value)})`;
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
