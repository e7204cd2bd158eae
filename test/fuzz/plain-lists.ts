import type { PlainFormat } from '../../src/sources/plain-list.js';
import { inputRng, type Rng } from './rng.js';
import { mutateText } from './text-mutate.js';

/**
 * Plain block lists (domains, hosts, adblock): lines as real lists write
 * them, comments and entries that are not plain name blocks among them; then
 * mutated most of the time. An input that was not mutated also lists the
 * names it must block, which the round checks.
 */

/** One generated list. */
export interface PlainListInput {
  readonly format: PlainFormat;
  readonly text: string;
  /** Names the list blocks (with everything below), when it was not mutated; null otherwise. */
  readonly expected: string[] | null;
}

function hostName(rng: Rng): string {
  const label = (): string => Array.from({ length: rng.range(1, 12) }, () => 'abcdefghijklmnopqrstuvwxyz0123456789-_'[rng.int(37 + (rng.chance(0.1) ? 1 : 0))]).join('');
  const name = Array.from({ length: rng.range(2, 5) }, label).join('.');
  return name.replace(/(^|\.)-/g, '$1a').replace(/-(\.|$)/g, 'a$1');
}

const NOISE: Record<PlainFormat, readonly string[]> = {
  domains: ['# comment', '', '   ', 'localhost', '192.0.2.1', 'bad..name', '-lead.example', 'x'.repeat(64) + '.test', 'name.with space', 'ünï.test', '*.wild.test'],
  hosts: ['# comment', '', '127.0.0.1 localhost', '::1 localhost ip6-localhost', '192.0.2.1 real.example', '0.0.0.0', '0.0.0.0 0.0.0.0', 'garbage'],
  adblock: ['! comment', '[Adblock Plus 2.0]', '', '@@||allowed.example^', '||path.example/ads^', '||opt.example^$third-party', '##.banner', '/regex/', '||*.star.example^'],
};

function line(format: PlainFormat, name: string, rng: Rng): string {
  const spelled = rng.chance(0.1) ? name.toUpperCase() : rng.chance(0.05) ? `${name}.` : name;
  if (format === 'domains') return rng.chance(0.2) ? `${spelled} # note` : spelled;
  if (format === 'hosts') return `${rng.pick(['0.0.0.0', '127.0.0.1', '::', '::1'])}${rng.pick([' ', '\t', '   '])}${spelled}`;
  return rng.chance(0.2) ? `||${spelled}^$important` : `||${spelled}^`;
}

/** Plain list `index` of the run seeded with `seed`. */
export function plainList(seed: number, index: number): PlainListInput {
  const rng = inputRng(seed, index);
  const format = rng.pick(['domains', 'hosts', 'adblock'] as const);
  const names: string[] = [];
  const lines: string[] = [];
  for (let n = rng.range(1, 60); n > 0; n--) {
    if (rng.chance(0.2)) lines.push(rng.pick(NOISE[format]));
    else {
      const name = hostName(rng);
      names.push(name.toLowerCase());
      lines.push(line(format, name, rng));
    }
  }
  const text = lines.join(rng.chance(0.1) ? '\r\n' : '\n');
  if (rng.chance(0.3)) return { format, text, expected: names };
  const dictionary = [...NOISE[format], '\u0000', '\ufeff', '#', '!', '||', '^', '$', '0.0.0.0', 'a'.repeat(300), '\t\t'];
  return { format, text: mutateText(text, rng, rng.range(1, 5), dictionary), expected: null };
}
