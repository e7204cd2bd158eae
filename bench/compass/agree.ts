/**
 * Before every round: both servers must give the same answer to a sample of the round's questions, or the
 * comparison is unfair (one of them doing less work). Compared: the rcode and the answer section (owner, type,
 * data; not the TTLs, which differ by when each server cached the name). Each policy hit must also be NXDOMAIN
 * (the zone's `CNAME .` rules), each cached name NOERROR with its address, and a name below an exact-only trigger
 * (no wildcard) must not be blocked by either.
 */
import { askUdp, type Reply } from '../../test/helpers/dns-client.js';
import { prng } from '../../test/helpers/prng.js';
import { fixedName } from '../lib/bench-upstream.js';
import type { MillionZone } from '../lib/million-zone.js';
import { ADDR } from '../lib/processes.js';
import { policyName } from './mixes.js';
import type { Server } from './servers.js';
import { CHALLENGER } from './settings.js';

interface Question {
  readonly name: string;
  readonly type: 'A' | 'AAAA';
  readonly expect: 'NOERROR' | 'NXDOMAIN';
}

/** The sample for round `round`: 4 cached names, 2 unique misses, and with a zone 4 exact hits, 4 wildcard hits and 2 unlisted names below exact-only triggers. */
function sample(round: number, zone: MillionZone | null): Question[] {
  const random = prng(7000 + round);
  const type = (i: number): 'A' | 'AAAA' => (i % 2 === 0 ? 'A' : 'AAAA');
  const questions: Question[] = [];
  for (let i = 0; i < 4; i++) questions.push({ name: fixedName(1 + Math.floor(random() * 300)), type: type(i), expect: 'NOERROR' });
  for (let i = 0; i < 2; i++) questions.push({ name: `check${round}-${i}.miss.bench.test`, type: type(i), expect: 'NOERROR' });
  if (zone !== null) {
    for (let i = 0; i < 8; i++) questions.push({ name: policyName(zone, random, i >= 4, i), type: type(i), expect: 'NXDOMAIN' });
    const exactOnly = zone.bases.length - zone.pairs;
    for (let i = 0, tries = 0; i < 2 && tries < 1000; tries++) {
      const base = zone.bases[zone.pairs + Math.floor(random() * exactOnly)]!;
      if (underWildcard(zone, base)) continue;
      questions.push({ name: `unlisted${round}.${base}`, type: type(i++), expect: 'NOERROR' });
    }
  }
  return questions;
}

let wildcarded: { zone: MillionZone; names: Set<string> } | null = null;

/** Whether `name` or a name above it is listed with a wildcard (then a new label below it is a policy hit too). */
function underWildcard(zone: MillionZone, name: string): boolean {
  if (wildcarded?.zone !== zone) wildcarded = { zone, names: new Set(zone.bases.slice(0, zone.pairs)) };
  for (let suffix = name; ; suffix = suffix.slice(suffix.indexOf('.') + 1)) {
    if (wildcarded.names.has(suffix)) return true;
    if (!suffix.includes('.')) return false;
  }
}

/** "NXDOMAIN" or "NOERROR A 192.0.2.7, ...": what is compared. */
function summary(reply: Reply | null): string {
  if (reply === null) return 'no reply';
  const answers = (reply.packet.answers ?? []).map((a) => `${a.name.toLowerCase()} ${a.type} ${JSON.stringify((a as { data?: unknown }).data)}`).sort();
  return [reply.packet.rcode ?? '?', ...answers].join(' ');
}

/** Asks both servers the sample; resolves to a one-line account, or throws naming every question they disagree on. */
export async function answersAgree(servers: readonly Server[], round: number, zone: MillionZone | null): Promise<string> {
  if (CHALLENGER === 'floor') return 'answers not compared: the Node floor echoes every query but the unique misses (no cache, no policy)';
  const questions = sample(round, zone);
  const problems: string[] = [];
  for (const question of questions) {
    const answers = await Promise.all(
      servers.map((server) => askUdp({ address: ADDR, port: server.port }, question.name, { type: question.type, timeoutMs: 2000 }).then(summary, () => 'no reply')),
    );
    const wrong = answers.some((a) => !a.startsWith(question.expect)) || answers.some((a) => a !== answers[0]);
    if (wrong) problems.push(`  ${question.name} ${question.type} (expected ${question.expect}): ${servers.map((s, i) => `${s.kind} ${answers[i]!}`).join(' | ')}`);
  }
  if (problems.length > 0) throw new Error(`the servers do not give the same answers, so the comparison would be unfair:\n${problems.join('\n')}`);
  const hits = questions.filter((q) => q.expect === 'NXDOMAIN').length;
  return `answers agree on ${questions.length} questions${hits > 0 ? ` (${hits} policy hits: NXDOMAIN from both)` : ''}`;
}
