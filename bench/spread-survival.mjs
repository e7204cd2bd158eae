// Shows why the upstream path built its objects field by field until Node 24 (src/upstream/upstream-pool.ts):
// on Node 20 (V8 11.3), an object built as `{ ...a, more }` outlives young collections although
// nothing holds it past one event-loop turn, and V8 promotes it into the old generation; Node 24
// (V8 13.6) promotes `spread` no more than `explicit` (bench/README.md).
// Run: npx node --trace-gc-nvp bench/spread-survival.mjs spread | npx node bench/spread-survival.mjs --sum
//      (and the same with `explicit`, `plain` or `assign` in place of `spread`).
import { readFileSync } from 'node:fs';

if (process.argv[2] === '--sum') {
  let promoted = 0;
  let scavenges = 0;
  let majors = 0;
  for (const line of readFileSync(0, 'utf8').split('\n')) {
    if (/ gc=s /.test(line)) {
      scavenges++;
      promoted += Number(/promoted=(\d+)/.exec(line)?.[1] ?? 0);
    } else if (/ gc=m[cs] /.test(line)) majors++;
  }
  console.log(`young GCs ${scavenges}, promoted ${(promoted / 2 ** 20).toFixed(1)} MiB, major GCs ${majors}`);
} else {
  const mode = process.argv[2] ?? 'spread';
  let n = 0;
  // One "query": a request object, an options object made from it, held across one turn.
  const one = async () => {
    const request = { question: { name: `n${n}`, type: 1 }, dnssecOk: false, checkingDisabled: false, tcp: false };
    const wire = Buffer.alloc(64);
    const options =
      mode === 'spread' ? { ...request, wire, a: 1, b: 2, c: 3, d: 4, e: 5 }
      : mode === 'plain' ? { ...request }
      : mode === 'assign' ? Object.assign({}, request, { wire, a: 1 })
      : { question: request.question, dnssecOk: request.dnssecOk, checkingDisabled: request.checkingDisabled, tcp: request.tcp, wire, a: 1, b: 2, c: 3, d: 4, e: 5 };
    await new Promise((resolve) => setImmediate(resolve));
    return options.question.name.length;
  };
  for (; n < 1_500_000; n++) {
    if (n % 20 === 0) await one();
    else void one();
  }
}
