import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { ZoneSyntaxError } from '../../src/rpz/zone-syntax-error.js';
import { loadZoneSource } from '../../src/sources/load-source.js';
import { Campaign, type RoundOptions } from './campaign.js';
import { corpusFiles } from './corpus.js';
import { settledMemory } from './memory.js';
import { plainList } from './plain-lists.js';
import { zoneConfig } from './zone-configs.js';
import { writeIncludeFiles, zoneText } from './zone-texts.js';

/** Longest error message accepted: a message names file:line, what was found (quoted) and what was expected. */
export const MAX_MESSAGE = 1000;
/** An input that takes longer than this is a finding (the reader must not hang). */
const INPUT_TIMEOUT_MS = 10_000;

/** Runs `work` with a time bound; 'timeout' when it did not settle in time. */
async function bounded<T>(work: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), INPUT_TIMEOUT_MS)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records what an error says about the reader: the documented ZoneSyntaxError with a bounded message, or a finding. */
export function judgeError(campaign: Campaign, index: number, error: unknown, input: string | Buffer, accept: (error: Error) => boolean): void {
  if (!(error instanceof Error) || !accept(error)) {
    const name = error instanceof Error ? error.constructor.name : typeof error;
    campaign.fail(`threw ${name}`, index, error instanceof Error ? (error.stack ?? error.message) : String(error), input);
    return;
  }
  campaign.count('rejected with a clear error');
  if (error.message.length > MAX_MESSAGE) campaign.fail(`error message longer than ${MAX_MESSAGE} characters`, index, `${error.message.length} characters: ${error.message.slice(0, 300)}...`, input);
}

/** Catches what the process reports while a round runs in it. */
export function processFaults(campaign: Campaign): () => void {
  const onRejection = (reason: unknown): void => campaign.fail('unhandled rejection', -1, String((reason as Error)?.stack ?? reason));
  const onException = (error: Error): void => campaign.fail('uncaught exception', -1, String(error.stack ?? error));
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onException);
  };
}

/**
 * Zone texts through the zone reader and compiler, in this process, as a
 * file zone loads: each must load, or be refused with a ZoneSyntaxError
 * whose message is bounded; nothing else may be thrown, nothing may hang.
 */
export async function zoneRound(options: RoundOptions): Promise<Campaign> {
  writeIncludeFiles();
  const campaign = new Campaign('zone', options, async () => settledMemory('heap'));
  if (corpusFiles().length === 0) options.log('  (no corpus found: built-in seed zone only; set FUZZ_CORPUS to a folder of real feeds)');
  // A local file zone: the server's line limit, $INCLUDE allowed.
  const limits = { maxLineLength: zoneConfig('{ name: fuzz.rpz, file: fuzz.rpz }').maxLineLength, includes: 'allowed' as const };
  const stop = processFaults(campaign);
  try {
    await campaign.begin();
    for (let index = options.from, done = 1; index < options.from + options.count; index++, done++) {
      const text = zoneText(options.seed, index);
      campaign.count('bytes', text.length);
      try {
        const zone = await bounded(loadPolicyZoneText(text, 'fuzz.rpz', 'fuzz-input', limits));
        if (zone === 'timeout') campaign.fail('no result within 10 s', index, '', text);
        else campaign.count('loaded');
      } catch (error) {
        judgeError(campaign, index, error, text, (e) => e instanceof ZoneSyntaxError);
      }
      await campaign.progress(done);
    }
    await campaign.end();
  } finally {
    stop();
  }
  return campaign;
}

/**
 * Plain lists (domains, hosts, adblock) loaded as a list zone is, from a
 * file: each must load (a ZoneSyntaxError with a bounded message is also
 * accepted); a list that was not mutated must block every name it lists,
 * and the names below it.
 */
export async function listRound(options: RoundOptions): Promise<Campaign> {
  const campaign = new Campaign('list', options, async () => settledMemory('heap'));
  const dir = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'stopzone-fuzz-lists-'));
  const configs = { domains: zoneConfig('{ name: list.rpz, file: list.txt, format: domains }'), hosts: zoneConfig('{ name: list.rpz, file: list.txt, format: hosts }'), adblock: zoneConfig('{ name: list.rpz, file: list.txt, format: adblock }') };
  const stop = processFaults(campaign);
  try {
    await campaign.begin();
    for (let index = options.from, done = 1; index < options.from + options.count; index++, done++) {
      const input = plainList(options.seed, index);
      const file = join(dir, 'list.txt');
      writeFileSync(file, input.text);
      const config = configs[input.format];
      try {
        const zone = await bounded(loadZoneSource(config, file));
        if (zone === 'timeout') campaign.fail('no result within 10 s', index, '', input.text);
        else {
          campaign.count('loaded');
          for (const name of input.expected ?? []) {
            if (zone.indexes.qname.lookup(name) === null || zone.indexes.qname.lookup(`below.${name}`) === null) {
              campaign.fail('listed name not blocked', index, `${input.format} list: ${name}`, input.text);
            }
          }
        }
      } catch (error) {
        judgeError(campaign, index, error, input.text, (e) => e instanceof ZoneSyntaxError);
      }
      await campaign.progress(done);
    }
    await campaign.end();
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return campaign;
}
