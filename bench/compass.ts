/**
 * Scenario: the compass (issue 21): Stopzone against Unbound on the work a school's resolver does, interleaved.
 *
 * Hypothesis (the goals): one Stopzone loop answers at least 0.8x the queries per second of Unbound with
 * one thread on the compass workload (a 1,000,000-trigger QNAME zone in both; 70 % cached names, 20 % policy
 * hits, 10 % unique misses), at least 0.9x on cache hits alone, with at most 12 µs of CPU per cache hit; two
 * workers against two Unbound threads at least 0.9x; p99 at half of the slower server's capacity no worse than Unbound's
 * plus 1 ms; no query lost. Baseline: Unbound 1.17 (`forward-zone "."` to the same NSD, the same zone file as
 * `rpz:` with `module-config: "respip iterator"`), measured in the same rounds.
 *
 * Workloads: (a) forwarder, today's `npm run bench` mix (90 % cached, 10 % unique misses; no policy zone); hits,
 * cached names only (on servers of their own); (b) compass; (c) compass with 2 workers against `num-threads: 2` (Stopzone's
 * `workers: 2`). Each workload runs BENCH_ROUNDS rounds, the servers taking turns in alternating order; a
 * round is a capacity run per server, then a latency run per server at half of the slower one's capacity in that round
 * (the issue says half of Unbound's: while Stopzone's capacity is below that rate, its figure would be its queue).
 *
 * Layout (2 CPUs): the servers alone on CPU 1 (for (c), on both CPUs); dnsperf, NSD and this script on CPU 0.
 * Everything listens on 127.0.0.1; every process started is killed on exit, failure or Ctrl-C, and the temporary
 * directory removed. Run: npm run bench:compass (knobs and figures: bench/README.md, "compass.ts").
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../test/helpers/prng.js';
import { fixedQueryLines, startBenchNsd } from './lib/bench-upstream.js';
import { millionZone, writeMillionZone, type MillionZone } from './lib/million-zone.js';
import { alive, childEnv, need, pinSelf, ROOT, stopOnSignal } from './lib/processes.js';
import { buildUnlessSkipped, launchLine } from './lib/stopzone-launch.js';
import { COMPASS_MIX, FORWARDER_MIX, HITS_MIX, MISSES_MIX, POLICY_MIX, writeMix, type Mix } from './compass/mixes.js';
import { render, type WorkloadResult } from './compass/report.js';
import { runRound } from './compass/round.js';
import { startServers, stopServers, tail, warm, type Server, type ServerSet } from './compass/servers.js';
import { BOTH_CPUS, LOAD_AT_START, LOAD_CPU, OUT_DIR, ROUNDS, SERVER_CPU, TMP, TRIGGERS, WORKLOADS, type WorkloadName } from './compass/settings.js';

interface Workload {
  readonly name: WorkloadName;
  readonly tag: string;
  readonly mix: Mix;
  readonly set: 'plain' | 'hits' | 'zone' | 'zone-2';
  readonly title: string;
}

const ALL: readonly Workload[] = [
  { name: 'forwarder', tag: '(a)', mix: FORWARDER_MIX, set: 'plain', title: `(a) forwarder, no policy zone: ${FORWARDER_MIX.text}` },
  // Servers of their own: on the forwarder's, cache hits ran just after its unique misses and paid for collecting
  // their garbage (12.5-13.3 µs a hit there against 11.2-11.9 alone, bench/README.md); the forwarder mix is the mixed case.
  { name: 'hits', tag: '', mix: HITS_MIX, set: 'hits', title: `cache hits only, no policy zone: ${HITS_MIX.text}` },
  { name: 'misses', tag: '', mix: MISSES_MIX, set: 'plain', title: `unique misses only, no policy zone: ${MISSES_MIX.text}` },
  { name: 'compass', tag: '(b)', mix: COMPASS_MIX, set: 'zone', title: `(b) compass, a ${TRIGGERS.toLocaleString('en')}-trigger QNAME zone in both: ${COMPASS_MIX.text}` },
  { name: 'policy', tag: '', mix: POLICY_MIX, set: 'zone', title: `policy hits only, the zone in both: ${POLICY_MIX.text}` },
  { name: 'workers', tag: '(c)', mix: COMPASS_MIX, set: 'zone-2', title: '(c) compass with 2 workers against Unbound num-threads: 2' },
];

async function main(): Promise<void> {
  for (const [command, debianPackage] of [['taskset', 'util-linux'], ['dnsperf', 'dnsperf'], ['nsd', 'nsd'], ['unbound', 'unbound']] as const) need(command, debianPackage);
  // This script, dnsperf and NSD share CPU 0; the servers have CPU 1 to themselves.
  pinSelf(LOAD_CPU);
  buildUnlessSkipped();
  mkdirSync(OUT_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const workloads = ALL.filter((w) => WORKLOADS.includes(w.name));
  const plain = (set: Workload['set']): boolean => set === 'plain' || set === 'hits';
  const zone = workloads.some((w) => !plain(w.set)) ? await makeZone() : null;
  const fixedFile = join(TMP, 'fixed.txt');
  writeFileSync(fixedFile, `${fixedQueryLines().join('\n')}\n`);

  const nsd = await startBenchNsd();
  stopOnSignal(nsd.stop);
  console.log(`NSD ready on ${nsd.hostPort} (CPU ${LOAD_CPU})`);
  const results: WorkloadResult[] = [];
  try {
    for (const set of ['plain', 'hits', 'zone', 'zone-2'] as const) {
      const members = workloads.filter((w) => w.set === set);
      if (members.length === 0) continue;
      const threads = set === 'zone-2' ? 2 : 1;
      const serverSet: ServerSet = { label: set, threads, cpu: threads === 2 ? BOTH_CPUS : SERVER_CPU, zoneFile: plain(set) ? null : join(TMP, 'rpz.zone') };
      const layout = `${threads === 2 ? 'Unbound num-threads: 2, Stopzone workers: 2, both on CPUs 0 and 1 (CPU 0 shared with dnsperf and NSD)' : 'Unbound num-threads: 1, Stopzone one loop, each alone on CPU 1'}; dnsperf and NSD on CPU 0`;
      results.push(...(await runSet(serverSet, members, plain(set) ? null : zone, nsd.hostPort, fixedFile, layout)));
    }
  } finally {
    await nsd.stop();
  }
  const report = render(results, header(stamp));
  console.log(`\n${report}`);
  writeFileSync(join(OUT_DIR, `${stamp}-compass.txt`), `${report}\n`);
  console.log(`written: bench/out/${stamp}-compass.txt`);
}

/** Starts the servers of one set, warms them, runs every round of its workloads (interleaved), stops them. */
async function runSet(set: ServerSet, members: readonly Workload[], zone: MillionZone | null, upstream: string, fixedFile: string, layout: string): Promise<WorkloadResult[]> {
  const servers = await startServers(set, upstream);
  try {
    const started = servers.map((s) => `${s.kind} answering ${(s.readyMs / 1000).toFixed(1)} s after its start (RSS then ${rssMiB(s)} MiB)`).join(', ');
    console.log(`${set.label}: ${started}`);
    const warmFile = join(TMP, `warm-${set.label}.txt`);
    writeMix(warmFile, members[0]!.mix, 300_000, `warm-${set.label}-`, 99, zone);
    for (const server of servers) await warm(server, fixedFile, warmFile);
    const rounds = new Map(members.map((w) => [w.name, [] as WorkloadResult['rounds']]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [index, workload] of members.entries()) {
        for (const server of servers) if (!alive(server.proc)) throw new Error(`${server.kind} exited; its log:\n${tail(server.logPath)}`);
        rounds.get(workload.name)!.push(await runRound(workload.name, workload.mix, round, servers, zone, 1000 * (index + 1) + round));
      }
    }
    return members.map((w) => ({ tag: w.tag, name: w.name, threads: set.threads, title: w.title, setup: `${layout}; ${started}`, rounds: rounds.get(w.name)! }));
  } finally {
    await stopServers(servers);
  }
}

/** The policy zone both servers load, written to TMP/rpz.zone (bench/lib/million-zone.ts, as rpz-million.ts makes it). */
async function makeZone(): Promise<MillionZone> {
  const started = Date.now();
  const zone = millionZone(TRIGGERS, prng(20261123), (line) => console.log(line));
  const bytes = await writeMillionZone(zone, join(TMP, 'rpz.zone'));
  console.log(`zone: ${zone.bases.length + zone.pairs} triggers (${zone.bases.length} exact, ${zone.pairs} wildcard), ${(bytes / 1e6).toFixed(1)} MB, written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return zone;
}

const rssMiB = (server: Server): string => (Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024).toFixed(0);

/** What the figures were taken on: date, load, versions, how Stopzone was run. */
function header(stamp: string): string[] {
  const version = (command: string, args: string[], pattern: RegExp): string => {
    const run = spawnSync(command, args, { env: childEnv, encoding: 'utf8' });
    return pattern.exec(`${run.stdout ?? ''}${run.stderr ?? ''}`)?.[1] ?? '?';
  };
  const commit = version('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], /(\w+)/);
  return [
    `== compass: Stopzone vs Unbound, ${stamp}; load average ${LOAD_AT_START} at the start, ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at the end ==`,
    `Stopzone ${commit} on Node ${process.versions.node} (${launchLine()}); Unbound ${version('unbound', ['-V'], /Version (\S+)/)}; NSD ${version('nsd', ['-v'], /NSD version (\S+)/)}; dnsperf ${version('dnsperf', ['-h'], /^Version (\S+)/m)}`,
  ];
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
