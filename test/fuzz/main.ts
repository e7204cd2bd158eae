/**
 * The long fuzz run: `npm run fuzz -- --target client --count 10000000 --seed 42`.
 * Prints the seed, progress every 10 s, and each round's summary (inputs,
 * rate, RSS at start, after warm-up and at the end, findings with the input
 * index that reproduces each); exits 1 when a round found anything.
 * See test/fuzz/README.md.
 */
import { parseArgs } from 'node:util';
import { freshSeed } from './rng.js';
import { ROUNDS, runRound, type TargetName } from './rounds.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'all' },
    count: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string', default: '0' },
    'tcp-share': { type: 'string', default: '0.2' },
    'decode-every': { type: 'string', default: '4' },
    dump: { type: 'string' },
  },
});
const seed = Number(values.seed ?? process.env.FUZZ_SEED ?? freshSeed());
const targets = values.target === 'all' ? (Object.keys(ROUNDS) as TargetName[]) : (values.target!.split(',') as TargetName[]);
for (const target of targets) if (!(target in ROUNDS)) throw new Error(`--target ${target}: expected one of ${Object.keys(ROUNDS).join(', ')} or all`);
let failed = false;
for (const target of targets) {
  const campaign = await runRound(target, {
    seed,
    from: Number(values.from),
    count: Number(values.count ?? ROUNDS[target].longCount),
    tcpShare: Number(values['tcp-share']),
    decodeEvery: Number(values['decode-every']),
    log: (line) => console.log(line),
    ...(values.dump !== undefined && { dumpDir: values.dump }),
    ...(process.env.FUZZ_SERVER_YAML !== undefined && { serverYaml: process.env.FUZZ_SERVER_YAML }),
  });
  for (const line of campaign.summary()) console.log(line);
  failed ||= campaign.failed;
}
process.exitCode = failed ? 1 : 0;
