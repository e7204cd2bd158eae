import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ask, missingDaemons, normalise, render } from '../helpers/answer-outcome.js';
import { startBind, type RunningBind } from '../helpers/bind.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { startNsd, type RunningNsd } from '../helpers/nsd.js';
import type { TestServer } from '../helpers/stopzone.js';
import { CASES, upstreamZones, type Case, type CaseQuery, type ZoneSpec } from './cases.js';

/**
 * Differential conformance: BIND 9 (the reference) and Stopzone, both forwarding to the same NSD with the same
 * policy zones, asked the same questions; Stopzone must give BIND's answer (rcode, TC, AA and the answer section;
 * TTLs only where a case asks). CONFORMANCE_ORACLE_ONLY=1 runs BIND alone and prints its answer per case.
 */

const ORACLE_ONLY = process.env.CONFORMANCE_ORACLE_ONLY === '1';

// ---------------------------------------------------------------------------------------------------------------
// Tools present?
// ---------------------------------------------------------------------------------------------------------------

const missing = missingDaemons();
if (missing.length > 0) {
  const message = `BIND-vs-Stopzone conformance needs ${missing.join(' and ')}: apt-get install bind9 nsd`;
  t.plan(0, skipWhenMissing(true, message) || message);
} else {
  await run();
}

// ---------------------------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------------------------

async function run(): Promise<void> {
  const nsd: RunningNsd = await startNsd({ zones: upstreamZones(CASES) });
  t.teardown(() => nsd.stop());
  const tally = { cases: 0, agree: 0, differ: 0 };
  const differences: string[] = [];

  for (const [zones, cases] of groupByZones(CASES)) {
    const title = `policy zones ${zones.map((z) => describeZone(z)).join(', ')}`;
    await t.test(title, async (t) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'stopzone-conformance-'));
      t.teardown(() => rm(dir, { recursive: true, force: true }));
      const bind: RunningBind = await startBind({ forwarder: nsd.hostPort, policyZones: zones.map((z) => ({ ...z })) });
      t.teardown(() => bind.stop());
      let stopzone: TestServer | undefined;
      let stopzoneFailure: string | undefined;
      if (!ORACLE_ONLY) {
        try {
          // Imported here so that the oracle-only run needs nothing of Stopzone's source (handy while it is being changed).
          const { startTestServer } = await import('../helpers/stopzone.js');
          stopzone = await startTestServer(await stopzoneConfig(dir, nsd.hostPort, zones));
          t.teardown(() => stopzone?.close());
        } catch (error) {
          // Every case of the set still runs against BIND, and counts as a difference.
          stopzoneFailure = `Stopzone did not start: ${(error as Error).message}`;
          t.fail(stopzoneFailure);
        }
      }
      const bindTarget = { address: '127.0.0.1', port: bind.port };

      let logSeen = bind.output().length;
      // In order, one at a time: a case may rely on what an earlier one left in the caches (the RD=0 cases).
      for (const c of cases) {
        const [want, got] = await Promise.all([
          ask(bindTarget, c.query),
          stopzone ? ask(stopzone.target, c.query) : Promise.resolve(stopzoneFailure === undefined ? undefined : ({ kind: 'not started', detail: stopzoneFailure } as const)),
        ]);
        const wanted = normalise(want, c.compareTtl === true);
        if (got === undefined) {
          // named logs each rewrite ("rpz QNAME NXDOMAIN rewrite ... via ..."): the rule BIND used, for review
          // (a line named has not written yet shows with the next case).
          const log = bind.output();
          const via = log.slice(logSeen).split('\n').filter((line) => / rpz: /.test(line)).map((line) => line.replace(/^.*? rpz: (client @\S+ )?(\S+#\d+ )?/, '')).join(' / ');
          logSeen = log.length;
          t.comment(`${c.name} | ${describeQuery(c.query)} | BIND: ${render(want)}${via ? ` | log: ${via}` : ''}${c.known ? ` | known: ${c.known}` : ''}`);
          // Oracle only: that BIND answered is what this run can check (a case BIND does not answer is a broken case).
          t.equal(want.kind, 'answer', `${c.name}: BIND answered`);
          continue;
        }
        const gotten = normalise(got, c.compareTtl === true);
        tally.cases++;
        const same = JSON.stringify(gotten) === JSON.stringify(wanted);
        if (same) tally.agree++;
        else {
          tally.differ++;
          differences.push(`${c.name} (${describeQuery(c.query)})\n    BIND:     ${render(want)}\n    Stopzone: ${render(got)}${c.known ? `\n    known: ${c.known}` : ''}`);
        }
        const details = { diagnostic: true, bind: render(want), stopzone: render(got), ...(c.note && { note: c.note }), ...(c.known && { known: c.known }) };
        // A known, documented difference is asserted as a difference: the run fails when it goes away (then the case
        // loses its `known`) as well as when an unknown one appears.
        if (c.known === undefined) t.same(gotten, wanted, `${c.name} | ${describeQuery(c.query)}`, details);
        else t.notSame(gotten, wanted, `${c.name} | ${describeQuery(c.query)}: the known difference still stands`, details);
      }
    });
  }

  if (ORACLE_ONLY) {
    t.comment(`conformance: ${CASES.length} cases asked of BIND only (CONFORMANCE_ORACLE_ONLY=1)`);
    return;
  }
  if (differences.length > 0) t.comment(`differences from BIND:\n  ${differences.join('\n  ')}`);
  const summary = `conformance: ${tally.cases} cases, ${tally.agree} agree, ${tally.differ} differ`;
  t.comment(summary);
  console.error(summary);
}

/** Cases grouped by their list of policy zones (same list, same servers), in table order. */
function groupByZones(cases: readonly Case[]): Map<readonly ZoneSpec[], Case[]> {
  const byKey = new Map<string, { zones: readonly ZoneSpec[]; cases: Case[] }>();
  for (const c of cases) {
    const key = JSON.stringify(c.zones);
    const group = byKey.get(key) ?? { zones: c.zones, cases: [] };
    group.cases.push(c);
    byKey.set(key, group);
  }
  return new Map([...byKey.values()].map((g) => [g.zones, g.cases]));
}

function describeZone(zone: ZoneSpec): string {
  const options = Object.entries(zone.options ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return options.length > 0 ? `${zone.name} (${options.join(' ')})` : zone.name;
}

function describeQuery(q: CaseQuery): string {
  return `${q.name} ${q.type ?? 'A'} from ${q.from ?? '127.0.0.1'} over ${q.tcp ? 'TCP' : 'UDP'}${q.rd === false ? ' RD=0' : ''}`;
}

/** Stopzone's YAML for these zones: zone files written to `dir`, absolute paths. */
async function stopzoneConfig(dir: string, upstream: string, zones: readonly ZoneSpec[]): Promise<string> {
  const entries: string[] = [];
  for (const [i, z] of zones.entries()) {
    const file = path.join(dir, `policy-${i}-${z.name}`);
    await writeFile(file, z.text);
    const { recursiveOnly: _bindOnly, ...options } = z.options ?? {};
    const fields: Record<string, unknown> = { name: z.name, file, ...options };
    entries.push(`    - ${JSON.stringify(fields)}`);
  }
  return [
    'listen: { addresses: ["127.0.0.1"], port: 0 }',
    // One answering loop, as BIND has one cache: the RD=0 cases ask for what an earlier query cached (with workers, each has its own).
    'workers: 1',
    `upstreams: ${JSON.stringify([upstream])}`,
    'log: { level: warn }',
    'policy:',
    '  zones:',
    ...entries,
    '',
  ].join('\n');
}
