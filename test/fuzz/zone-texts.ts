import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusSlice } from './corpus.js';
import { inputRng, type Rng } from './rng.js';
import { mutateText } from './text-mutate.js';

/**
 * Zone texts: a built-in policy zone that uses every trigger, action and
 * master-file feature, or a slice of a real feed from the corpus, mutated at
 * the line, token and character level ($INCLUDE of a few fixed files among
 * the tokens).
 */

/** Files $INCLUDE may name: a fixed place, so a dumped input replays on another run. */
export const INCLUDE_DIR = join(tmpdir(), 'stopzone-fuzz-include');

/** Writes the include files (idempotent). */
export function writeIncludeFiles(): void {
  mkdirSync(INCLUDE_DIR, { recursive: true });
  writeFileSync(join(INCLUDE_DIR, 'part.zone'), 'included.fuzz.test CNAME .\n*.included.fuzz.test CNAME rpz-drop.\n');
  writeFileSync(join(INCLUDE_DIR, 'loop.zone'), `$INCLUDE ${join(INCLUDE_DIR, 'loop.zone')}\n`);
  writeFileSync(join(INCLUDE_DIR, 'origin.zone'), '$ORIGIN sub.fuzz.rpz.\nx CNAME .\n');
}

const SEED_ZONE = [
  '$TTL 1h',
  '$ORIGIN fuzz.rpz.',
  '@ IN SOA ns.fuzz.rpz. hostmaster.fuzz.rpz. ( 2024010101 ; serial',
  '    3600 600 86400 60 )',
  '  NS ns.fuzz.rpz.',
  'listed.fuzz.test CNAME .',
  '*.wild.fuzz.test CNAME .',
  'nodata.fuzz.test 300 CNAME *.',
  'pass.fuzz.test IN CNAME rpz-passthru.',
  'drop.fuzz.test CNAME rpz-drop.',
  'tcp.fuzz.test CNAME rpz-tcp-only.',
  'garden.fuzz.test CNAME *.walled.garden.',
  'local.fuzz.test A 192.0.2.200',
  '           AAAA 2001:db8::200',
  'local.fuzz.test TXT "blocked \\"here\\"" "two;strings"',
  'local.fuzz.test MX 10 mail.fuzz.test.',
  'escaped\\.dot.fuzz.test CNAME .',
  '\\000\\255.fuzz.test CNAME .',
  'unknown.fuzz.test TYPE65534 \\# 3 abcdef',
  'raw.fuzz.test A \\# 4 c0000201',
  '32.66.2.0.192.rpz-ip CNAME .',
  '24.0.113.0.203.rpz-ip CNAME .',
  '128.66.zz.db8.2001.rpz-ip CNAME .',
  '48.zz.db8.2001.rpz-client-ip CNAME rpz-drop.',
  '32.2.0.0.127.rpz-client-ip CNAME .',
  'ns.bad.rpz-nsdname CNAME .',
  '32.1.2.0.192.rpz-nsip CNAME .',
  '$TTL 1w2d3h4m5s',
  'ttl.fuzz.test 4294967295 CNAME .',
  'out.of.zone. CNAME .',
].join('\n');

const HEADER = '$TTL 300\n@ SOA localhost. root.localhost. 1 43200 3600 86400 300\n  NS localhost.\n';

const DICTIONARY = [
  '$ORIGIN', '$ORIGIN .', '$ORIGIN fuzz.rpz.', '$TTL', '$TTL 0', '$TTL 4294967296', '$GENERATE 1-10 x$ CNAME .', '@', '*', '.', '*.',
  'rpz-passthru.', 'rpz-drop.', 'rpz-tcp-only.', 'CNAME', 'A', 'AAAA', 'TXT', 'SOA', 'NS', 'DNAME', 'IN', 'CH', 'CLASS1', 'CLASS255', 'TYPE5', 'TYPE65',
  '\\# 4 c0000201', '\\# 0', '\\# 99999 00', '(', ')', '( (', '"', '""', ';', '\\', '\\000', '\\255', '\\256', '\\.', '\\0', '1w2d3h', '1W', '99999999999w',
  '4294967295', '4294967296', '-1', '0', '00', '1.2.3.4', '256.1.1.1', '::1', '::ffff:1.2.3.4', '2001:db8::1::2', '32.1.0.0.127.rpz-ip', '128.zz.rpz-ip',
  '33.1.0.0.127.rpz-ip', '24.1.2.3.4.rpz-ip', '0.zz.rpz-ip', '129.zz.1.rpz-ip', 'rpz-client-ip', 'rpz-nsdname', 'rpz-nsip', 'x.rpz-ip', 'walled.garden.',
  'a'.repeat(63), 'a'.repeat(64), `${'a.'.repeat(130)}fuzz.rpz.`, '\t', '\r', '\u0000', '\ufeff', 'é', 'ä.test', 'xn--', '_dmarc',
  `$INCLUDE ${INCLUDE_DIR}/part.zone`, `$INCLUDE ${INCLUDE_DIR}/loop.zone`, `$INCLUDE ${INCLUDE_DIR}/origin.zone sub.`, `$INCLUDE ${INCLUDE_DIR}/missing.zone`, `$INCLUDE ${INCLUDE_DIR}`, '$INCLUDE',
];

function seedText(rng: Rng): string {
  const slice = rng.chance(0.5) ? corpusSlice(rng) : null;
  if (slice === null) return SEED_ZONE;
  return rng.chance(0.8) ? `${HEADER}${slice}` : slice;
}

/** Zone text `index` of the run seeded with `seed`. */
export function zoneText(seed: number, index: number): string {
  const rng = inputRng(seed, index);
  const text = seedText(rng);
  return rng.chance(0.1) ? text : mutateText(text, rng, rng.range(1, 6), DICTIONARY);
}
