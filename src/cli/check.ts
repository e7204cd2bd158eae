import { basename, extname } from 'node:path';
import { loadConfig, parseConfig } from '../config/load-config.js';
import { POLICY_OVERRIDES } from '../config/schema.js';
import { ZoneSyntaxError } from '../rpz/zone-reader.js';
import { loadZoneSource } from '../sources/load-source.js';
import type { ZoneConfig } from '../sources/zone-source.js';

/** A zone to check: its file and the zone name it is loaded under; with `zone`, as that configured zone (plain lists included). */
export interface CheckTarget {
  readonly file: string;
  readonly name: string;
  readonly zone?: ZoneConfig;
}

/** How files named on the command line are read: `--zone`, `--format`, `--policy`, as the keys of a configured zone. */
export interface CheckOptions {
  readonly zone?: string | undefined;
  readonly format?: string | undefined;
  readonly policy?: string | undefined;
}

/** A mistake on the command line (exit status 2). */
export class CheckUsageError extends Error {}

const FORMATS = ['rpz', 'domains', 'hosts', 'adblock'] as const;

/**
 * `stopzone check`: loads each zone exactly as the server would and prints
 * its triggers by type, the actions its policy takes, warnings with
 * file:line, and the time and memory taken. Resolves to the exit status: 1
 * when a zone cannot be loaded, 0 otherwise (warnings are not errors: the
 * server loads such zones).
 */
export async function check(targets: readonly CheckTarget[], out: (line: string) => void): Promise<number> {
  let status = 0;
  for (const { file, name, zone: configured } of targets) {
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    try {
      const config = configured ?? zoneFileConfig(file, name, {});
      const zone = await loadZoneSource(config, file);
      const ms = performance.now() - started;
      const rssMiB = Math.max(0, process.memoryUsage().rss - rssBefore) / 2 ** 20;
      const { records, triggers, actions, warnings, serial } = zone.stats;
      // A list has no serial of its own, and gives each name two rules (the name and the names below it).
      const list = config.format === 'rpz' ? '' : ` (a ${config.format} list of ${(triggers.qname ?? 0) / 2} names)`;
      out(`${file}: zone ${zone.name}, serial ${serial ?? 'none'}, ${records} records${list}, loaded in ${ms.toFixed(0)} ms, resident memory +${rssMiB.toFixed(1)} MiB`);
      out(`  triggers: ${listCounts(triggers)}`);
      out(`  actions:  ${policyActions(actions, config)}`);
      for (const warning of warnings) {
        out(`  warning: ${warning.count} × ${warning.kind}`);
        for (const example of warning.examples) out(`    ${example}`);
      }
    } catch (error) {
      status = 1;
      const text = (error as Error).message;
      const message = error instanceof ZoneSyntaxError || text.startsWith(file) ? text : `${file}: ${text}`;
      out(`${message}`);
      out(`  error: the zone was not loaded`);
    }
  }
  return status;
}

/** Targets from `[--zone NAME] [--format F] [--policy P] FILE...` (default name: the file's base name) or from the configured zones. */
export function checkTargets(files: readonly string[], options: CheckOptions, configPath: string | undefined, env: NodeJS.ProcessEnv): CheckTarget[] {
  if (options.format !== undefined && !(FORMATS as readonly string[]).includes(options.format)) throw new CheckUsageError(`--format "${options.format}": expected ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}`);
  if (options.policy !== undefined && !(POLICY_OVERRIDES as readonly string[]).includes(options.policy)) {
    throw new CheckUsageError(`--policy "${options.policy}": expected ${POLICY_OVERRIDES.slice(0, -1).join(', ')} or ${POLICY_OVERRIDES.at(-1)}`);
  }
  if (files.length === 0 && configPath !== undefined) {
    return loadConfig(configPath, env).policy.zones.flatMap((z) => (z.file === undefined ? [] : [{ file: z.file, name: z.name, zone: z }]));
  }
  return files.map((file) => {
    const name = options.zone ?? basename(file, extname(file));
    return { file, name, zone: zoneFileConfig(file, name, options) };
  });
}

/** A file named on the command line, configured as `{ name, file, format, policy }` with every other default, as the server would load it. */
function zoneFileConfig(file: string, name: string, { format, policy }: CheckOptions): ZoneConfig {
  const zone = { name, file, ...(format !== undefined && { format }), ...(policy !== undefined && { policy }), ...(policy === 'cname' && { cname: '(the configured target)' }) };
  return parseConfig(JSON.stringify({ policy: { zones: [zone] } }), {}, '(stopzone check)').policy.zones[0]!;
}

/** The actions the zone's answers take: the rules' own, or its policy override's in their place. */
function policyActions(actions: Readonly<Record<string, number>>, zone: ZoneConfig): string {
  const given = listCounts(actions);
  if (zone.policy === 'given') return given;
  if (zone.policy === 'disabled') return `none enforced (policy disabled: only logs what the rules' own would do: ${given})`;
  const rules = Object.values(actions).reduce((sum, n) => sum + n, 0);
  const as = zone.policy === 'cname' ? `cname to ${zone.cname}` : zone.policy;
  return `${rules} ${as} (policy ${zone.policy}, in place of the rules' own: ${given})`;
}

function listCounts(counts: Readonly<Record<string, number>>): string {
  const nonZero = Object.entries(counts).filter(([, n]) => n > 0);
  return nonZero.length === 0 ? 'none' : nonZero.map(([kind, n]) => `${n} ${kind}`).join(', ');
}
