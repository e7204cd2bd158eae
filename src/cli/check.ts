import { basename, extname } from 'node:path';
import { loadConfig, parseConfig } from '../config/load-config.js';
import { ZoneSyntaxError } from '../rpz/zone-reader.js';
import { loadZoneSource } from '../sources/load-source.js';
import type { ZoneConfig } from '../sources/zone-source.js';

/** A zone to check: its file and the zone name it is loaded under; with `zone`, as that configured zone (plain lists included). */
export interface CheckTarget {
  readonly file: string;
  readonly name: string;
  readonly zone?: ZoneConfig;
}

/**
 * `stopzone check`: loads each zone exactly as the server would and prints
 * its triggers by type, actions by kind, warnings with file:line, and the
 * time and memory taken. Resolves to the exit status: 1 when a zone cannot be
 * loaded, 0 otherwise (warnings are not errors: the server loads such zones).
 */
export async function check(targets: readonly CheckTarget[], out: (line: string) => void): Promise<number> {
  let status = 0;
  for (const { file, name, zone: configured } of targets) {
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    try {
      const zone = await loadZoneSource(configured ?? zoneFileConfig(file, name), file);
      const ms = performance.now() - started;
      const rssMiB = Math.max(0, process.memoryUsage().rss - rssBefore) / 2 ** 20;
      const { records, triggers, actions, warnings, serial } = zone.stats;
      out(`${file}: zone ${zone.name}, serial ${serial ?? 'none'}, ${records} records, loaded in ${ms.toFixed(0)} ms, resident memory +${rssMiB.toFixed(1)} MiB`);
      out(`  triggers: ${listCounts(triggers)}`);
      out(`  actions:  ${listCounts(actions)}`);
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

/** Targets from `[--zone NAME] FILE...` (default name: the file's base name) or from the configured zones. */
export function checkTargets(files: readonly string[], zoneName: string | undefined, configPath: string | undefined, env: NodeJS.ProcessEnv): CheckTarget[] {
  if (files.length === 0 && configPath !== undefined) {
    return loadConfig(configPath, env).policy.zones.flatMap((z) => (z.file === undefined ? [] : [{ file: z.file, name: z.name, zone: z }]));
  }
  return files.map((file) => ({ file, name: zoneName ?? basename(file, extname(file)) }));
}

/** A file named on the command line, configured as `{ name, file }` with every default, as the server would load it. */
function zoneFileConfig(file: string, name: string): ZoneConfig {
  return parseConfig(JSON.stringify({ policy: { zones: [{ name, file }] } }), {}, '(stopzone check)').policy.zones[0]!;
}

function listCounts(counts: Readonly<Record<string, number>>): string {
  const nonZero = Object.entries(counts).filter(([, n]) => n > 0);
  return nonZero.length === 0 ? 'none' : nonZero.map(([kind, n]) => `${n} ${kind}`).join(', ');
}
