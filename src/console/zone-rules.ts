import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../sources/atomic-file.js';
import { HttpError } from './http-error.js';
import { consoleRules, withoutRule, withRule, type ConsoleRule, type RuleAction } from './zone-rule-text.js';

/** A policy zone the console writes rules to: its name, its file and its index in policy.zones. */
export interface RuleZone {
  readonly name: string;
  readonly file: string;
  readonly index: number;
}

/** What the rule writer needs of the running server. */
export interface RuleZonesOptions {
  readonly allow: RuleZone | null;
  readonly block: RuleZone | null;
  /** Reloads zone `index` now; resolves once it is in force (true) or failed (false). PolicyZones.refresh. */
  readonly reload: (index: number) => Promise<boolean>;
  /** Why zone `index` last failed to load. */
  readonly lastError: (index: number) => string | null;
  /** The owner of an existing rule for exactly `name` in zone `zone`, or null. */
  readonly existing: (zone: string, name: string) => string | null;
  readonly now: () => number;
}

/**
 * Allow and block rules written by the console into the local zone files (console.allowZone and blockZone):
 * each change is written whole (temporary file, then rename), with a comment saying who, when and why and
 * the SOA serial raised, and answered once the zone has been reloaded and the new policy is in force. A
 * zone that does not load afterwards gets its file back as it was. Changes run one at a time.
 */
export class ZoneRules {
  readonly #options: RuleZonesOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RuleZonesOptions) {
    this.#options = options;
  }

  /** Every rule the console added, in both zones, in file order. */
  async list(): Promise<ConsoleRule[]> {
    const rules: ConsoleRule[] = [];
    for (const zone of this.#zones()) rules.push(...consoleRules(await readZone(zone), zone.name));
    return rules;
  }

  /** Adds `name` to the allow or block zone; resolves once it is in force. */
  add(request: { name: string; action: RuleAction; who: string; reason: string }): Promise<ConsoleRule> {
    return this.#serially(async () => {
      const zone = request.action === 'allow' ? this.#options.allow : this.#options.block;
      if (zone === null) {
        const key = request.action === 'allow' ? 'console.allowZone' : 'console.blockZone';
        throw new HttpError(409, `no zone to write ${request.action} rules to: set ${key} to a policy zone read from a file`);
      }
      const owner = this.#options.existing(zone.name, request.name);
      if (owner !== null) throw new HttpError(409, `${zone.name} has a rule for ${request.name} already (${owner})`);
      const before = await readZone(zone);
      const { text, rule } = withRule(before, zone.name, { ...request, time: this.#options.now() });
      await this.#replace(zone, before, text);
      return rule;
    });
  }

  /** Takes rule `id` out of its zone again (undo); resolves with the rule once the zone without it is in force. */
  remove(id: string): Promise<ConsoleRule> {
    return this.#serially(async () => {
      for (const zone of this.#zones()) {
        const before = await readZone(zone);
        const rule = consoleRules(before, zone.name).find((candidate) => candidate.id === id);
        if (rule === undefined) continue;
        await this.#replace(zone, before, withoutRule(before, zone.name, id)!);
        return rule;
      }
      throw new HttpError(404, `no rule ${id} added by the console (GET /api/rules lists them)`);
    });
  }

  /** Writes `after` over the zone file and reloads it; if it does not load, writes `before` back and reloads that. */
  async #replace(zone: RuleZone, before: string, after: string): Promise<void> {
    const { mode } = await stat(zone.file);
    try {
      await writeFileAtomic(zone.file, after, mode & 0o7777);
    } catch (error) {
      throw new HttpError(500, `cannot write ${zone.file}: ${(error as Error).message}`);
    }
    if (await this.#options.reload(zone.index)) return;
    const why = this.#options.lastError(zone.index) ?? 'it did not load';
    await writeFileAtomic(zone.file, before, mode & 0o7777);
    await this.#options.reload(zone.index);
    throw new HttpError(500, `${zone.name} did not load with the change, which was taken back: ${why}`);
  }

  #zones(): RuleZone[] {
    const { allow, block } = this.#options;
    return [allow, block].filter((zone, i, all): zone is RuleZone => zone !== null && all.findIndex((other) => other?.index === zone.index) === i);
  }

  #serially<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

async function readZone(zone: RuleZone): Promise<string> {
  try {
    return await readFile(zone.file, 'utf8');
  } catch (error) {
    throw new HttpError(500, `cannot read ${zone.file}: ${(error as Error).message}`);
  }
}
