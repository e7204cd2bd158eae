import type { Rng } from './rng.js';

/** Line- and character-level mutations of text, with tokens from `dictionary` spliced in. */
type TextMutation = (lines: string[], rng: Rng, dictionary: readonly string[]) => void;

const MUTATIONS: readonly TextMutation[] = [
  function deleteLine(lines, rng) {
    lines.splice(rng.int(lines.length), 1);
  },
  function duplicateLine(lines, rng) {
    const at = rng.int(lines.length);
    lines.splice(rng.int(lines.length + 1), 0, lines[at] ?? '');
  },
  function swapLines(lines, rng) {
    const a = rng.int(lines.length);
    const b = rng.int(lines.length);
    [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
  },
  function insertToken(lines, rng, dictionary) {
    const at = rng.int(lines.length);
    const line = lines[at] ?? '';
    const cut = rng.int(line.length + 1);
    lines[at] = `${line.slice(0, cut)}${rng.pick([' ', '', '\t'])}${rng.pick(dictionary)}${rng.pick([' ', ''])}${line.slice(cut)}`;
  },
  function replaceToken(lines, rng, dictionary) {
    const at = rng.int(lines.length);
    const tokens = (lines[at] ?? '').split(/(\s+)/);
    tokens[rng.int(tokens.length)] = rng.pick(dictionary);
    lines[at] = tokens.join('');
  },
  function insertLine(lines, rng, dictionary) {
    lines.splice(rng.int(lines.length + 1), 0, Array.from({ length: rng.range(1, 6) }, () => rng.pick(dictionary)).join(' '));
  },
  function mergeLines(lines, rng) {
    const at = rng.int(Math.max(1, lines.length - 1));
    lines.splice(at, 2, `${lines[at] ?? ''}${rng.pick([' ', '', ' ( ', ' ; '])}${lines[at + 1] ?? ''}`);
  },
  function characters(lines, rng) {
    const at = rng.int(lines.length);
    const chars = [...(lines[at] ?? '')];
    for (let n = rng.range(1, 4); n > 0; n--) {
      const where = rng.int(chars.length + 1);
      const char = String.fromCharCode(rng.pick([0, 9, 13, 32, 34, 40, 41, 59, 92, 127, 0xa0, 0xfeff, 0xd800, rng.range(33, 126), rng.int(0x3000)]));
      if (rng.chance(0.5)) chars.splice(where, 0, char);
      else chars.splice(where, 1, ...(rng.chance(0.5) ? [] : [char]));
    }
    lines[at] = chars.join('');
  },
  function longToken(lines, rng) {
    const unit = rng.pick(['a', 'a.', '(', '"', '\\', '\\0', 'x ', '*.']);
    lines.splice(rng.int(lines.length + 1), 0, unit.repeat(rng.pick([64, 256, 4096, 70_000])));
  },
];

/** `times` mutations of `text` (split in lines, joined with \n or, now and then, \r\n). */
export function mutateText(text: string, rng: Rng, times: number, dictionary: readonly string[]): string {
  const lines = text.split('\n');
  for (let i = 0; i < times; i++) rng.pick(MUTATIONS)(lines, rng, dictionary);
  return lines.join(rng.chance(0.05) ? '\r\n' : '\n');
}
