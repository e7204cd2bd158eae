import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { PolicySource } from '../rpz/policy-holder.js';
import { canonicalZoneName } from '../rpz/load-zone.js';
import type { PolicyZones } from '../sources/policy-zones.js';
import type { EventStore } from '../store/event-store.js';
import { FileAuditLog } from './audit-log.js';
import type { ConsoleContext, GroupLookup } from './console-context.js';
import { consoleRoutes } from './console-routes.js';
import { publicFiles } from './pages.js';
import { PauseBook } from './pause-book.js';
import { ZoneRules, type RuleZone } from './zone-rules.js';

/** What the running server hands the console. */
export interface ConsoleParts {
  readonly config: Config;
  readonly policy: PolicySource;
  readonly zones: PolicyZones;
  /** The client groups in force now (a reload replaces them). */
  readonly groups: () => GroupLookup;
  readonly events: EventStore | null;
  readonly now: () => number;
  readonly log: Logger;
}

/** The console, ready for the admin listener: its routes and TLS files, and what the server must tell it. */
export interface ConsoleSetup {
  readonly routes: ReturnType<typeof consoleRoutes> | undefined;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** After a reload renumbered the groups: puts the pauses in force again under the new numbering. */
  regrouped(): void;
  close(): void;
}

/**
 * Builds the console's parts from the config: the audit log and the pause book in `<state.dir>/console/`
 * (the pauses put in force at once), the rule writer over console.allowZone and blockZone, and the routes;
 * with console.enabled false only the TLS files (the admin listener still serves /metrics and health).
 */
export async function setUpConsole(parts: ConsoleParts): Promise<ConsoleSetup> {
  const { config, zones, groups, now, log } = parts;
  const { admin } = config;
  const tls = admin.certFile === undefined ? undefined : { cert: readFileSync(admin.certFile), key: readFileSync(admin.keyFile!) };
  if (!config.console.enabled) return { routes: undefined, tls, regrouped: () => undefined, close: () => undefined };
  const dir = join(config.state.dir, 'console');
  const pauses = await PauseBook.open(join(dir, 'pauses.json'), {
    now,
    apply: (list) => {
      const names = groups().groups.map((group) => group.name);
      zones.pause(list.map((pause) => ({ zone: pause.zone, group: names.indexOf(pause.group), until: pause.until })).filter((pause) => pause.group >= 0));
    },
  });
  const rules = new ZoneRules({
    allow: ruleZone(config, config.console.allowZone ?? 'allow.rpz'),
    block: ruleZone(config, config.console.blockZone ?? 'local.rpz'),
    reload: (index) => zones.refresh(index, 'reload'),
    lastError: (index) => zones.status()[index]?.lastError ?? null,
    existing: (zone, name) => {
      const found = parts.policy.current().zones.find((entry) => entry.zone.name === canonicalZoneName(zone));
      const match = found?.zone.indexes.qname.lookup(name);
      return match !== undefined && match !== null && match.owner === name ? `${match.owner} in ${zone}` : null;
    },
    now,
  });
  const context: ConsoleContext = {
    admin,
    https: tls !== undefined,
    policy: parts.policy,
    zoneNames: () => config.policy.zones.map((zone) => zone.name),
    zoneStatus: () => zones.status(),
    groups,
    rules,
    pauses,
    events: parts.events,
    audit: new FileAuditLog(join(dir, 'audit.log')),
    files: publicFiles(),
    now,
  };
  if (admin.passwordHash === undefined) log.warn({ admin: admin.listen.map(String) }, 'the console has no password (admin.passwordHash): anyone on this host can use it; set one with "stopzone passwd"');
  return { routes: consoleRoutes(context), tls, regrouped: () => pauses.reapply(), close: () => pauses.close() };
}

/** The zone `name` as a rule target, when the config has a zone of that name read from a file. */
function ruleZone(config: Config, name: string): RuleZone | null {
  const index = config.policy.zones.findIndex((zone) => zone.name === name);
  const file = config.policy.zones[index]?.file;
  return file === undefined ? null : { name, file, index };
}
