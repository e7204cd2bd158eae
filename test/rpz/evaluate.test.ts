import t from 'tap';
import dnsPacket from 'dns-packet';
import {
  ActionKind,
  evaluate,
  loadPolicyZoneText,
  PolicySet,
  readPolicyQuery,
  stopPageRdata,
  TriggerType,
  type Decision,
  type PolicyQuery,
  type Resolved,
  type ZoneSettings,
} from '../../src/rpz/index.js';
import { buildQuery, decodeReply, type AskOptions } from '../helpers/dns-client.js';

/**
 * The engine alone, as `stopzone/rpz` gives it to another program: no
 * server, no sockets; `resolve` is a fake upstream that answers from a table
 * and records every question it is asked.
 */
const settings = (over: Partial<ZoneSettings> = {}): ZoneSettings => ({
  policy: 'given', maxPolicyTtl: 5, breakDnssec: true, logName: 'test list', ede: { code: 15 }, log: true, ...over,
});

async function policyOf(...zones: Array<{ name: string; body: string; over?: Partial<ZoneSettings> }>): Promise<PolicySet> {
  const loaded = [];
  for (const { name, body, over } of zones) {
    const zone = await loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${body}\n`, name);
    loaded.push({ zone, settings: settings(over) });
  }
  return new PolicySet(loaded);
}

const records: Record<string, dnsPacket.Answer[]> = {
  'www.example.test': [{ type: 'A', name: 'www.example.test', ttl: 300, data: '192.0.2.10' }],
  'ipblocked.test': [{ type: 'A', name: 'ipblocked.test', ttl: 300, data: '192.0.2.66' }],
  'alias.test': [
    { type: 'CNAME', name: 'alias.test', ttl: 300, data: 'ipblocked.test' },
    { type: 'A', name: 'ipblocked.test', ttl: 300, data: '192.0.2.66' },
  ],
  'g.example.garden.test': [{ type: 'A', name: 'g.example.garden.test', ttl: 300, data: '192.0.2.77' }],
  'safe.example.test': [{ type: 'A', name: 'safe.example.test', ttl: 300, data: '192.0.2.88' }],
};

/** A fake resolver: the table's records for the question (NXDOMAIN otherwise), each question asked kept in `asked`. */
function fakeResolver() {
  const asked: Array<{ name: string; rd: boolean }> = [];
  const resolve = async (query: PolicyQuery): Promise<Resolved> => {
    asked.push({ name: query.question.lname, rd: query.rd });
    const answers = records[query.question.lname] ?? [];
    const rcode = answers.length === 0 ? 3 : 0;
    const message = dnsPacket.encode({ type: 'response', id: query.id, flags: 0x8180 | rcode, questions: [{ name: query.question.name, type: 'A', class: 'IN' }], answers });
    return { message, rcode, source: 'upstream' };
  };
  return { asked, resolve };
}

/** The message of a decision that must have one. */
function message(decision: Decision<Resolved>): Buffer {
  if (decision.message === null) throw new Error(`no message (source ${decision.source ?? '?'})`);
  return decision.message;
}

function ask(name: string, from = '127.0.0.1', options: AskOptions & { transport?: 'udp' | 'tcp' } = {}): PolicyQuery {
  const query = readPolicyQuery(buildQuery(name, options), from, options.transport ?? 'udp');
  if (query === null) throw new Error(`readPolicyQuery refused the query for ${name}`);
  return query;
}

const ZONE = [
  '32.2.0.0.127.rpz-client-ip CNAME .',
  '32.66.2.0.192.rpz-ip CNAME .',
  'g.example CNAME *.garden.test.',
  'kids.example CNAME safe.example.test.',
  'drop.example CNAME rpz-drop.',
  'tcp.example CNAME rpz-tcp-only.',
].join('\n');

t.test('a client-IP trigger answers before anything is resolved', async (t) => {
  const policy = await policyOf({ name: 'policy.rpz', body: ZONE });
  for (const from of ['127.0.0.2', '::ffff:127.0.0.2']) {
    const { asked, resolve } = fakeResolver();
    const decision = await evaluate(policy, ask('www.example.test', from), resolve);
    t.equal(decision.source, 'policy', `${from}: a policy answer`);
    t.equal(decision.policy?.trigger, TriggerType.CLIENT_IP, `${from}: by client IP`);
    t.equal(decision.policy?.via, '32.2.0.0.127.rpz-client-ip.policy.rpz');
    t.equal(decodeReply(message(decision)).rcode, 'NXDOMAIN');
    t.same(asked, [], `${from}: the resolver never ran`);
  }
  const { asked, resolve } = fakeResolver();
  const other = await evaluate(policy, ask('www.example.test', '127.0.0.1'), resolve);
  t.same([other.source, other.policy], ['upstream', undefined], 'another client gets the resolved answer');
  t.same(asked, [{ name: 'www.example.test', rd: true }]);
});

t.test('an rpz-ip trigger fires on the resolved answer, through a CNAME chain too', async (t) => {
  const policy = await policyOf({ name: 'policy.rpz', body: ZONE });
  for (const name of ['ipblocked.test', 'alias.test']) {
    const { asked, resolve } = fakeResolver();
    const decision = await evaluate(policy, ask(name), resolve);
    t.equal(decision.policy?.trigger, TriggerType.IP, `${name}: by the answer's address`);
    t.equal(decision.policy?.address, '192.0.2.66');
    const reply = decodeReply(message(decision));
    t.equal(reply.rcode, 'NXDOMAIN', `${name}: NXDOMAIN`);
    t.same(reply.answers?.map((r) => r.type), name === 'alias.test' ? ['CNAME'] : [], `${name}: the chain's CNAME kept before the rewrite`);
    t.same(asked.map((a) => a.name), [name], `${name}: resolved once`);
  }
});

t.test('a walled garden: the CNAME target is resolved through resolve and appended', async (t) => {
  const policy = await policyOf({ name: 'policy.rpz', body: ZONE });
  const { asked, resolve } = fakeResolver();
  const decision = await evaluate(policy, ask('g.example', '127.0.0.1', { rd: false }), resolve);
  t.equal(decision.policy?.kind, ActionKind.GARDEN);
  const reply = decodeReply(message(decision));
  t.same(reply.answers?.map((r) => [r.name, r.type, (r as { data?: unknown }).data]), [
    ['g.example', 'CNAME', 'g.example.garden.test'],
    ['g.example.garden.test', 'A', '192.0.2.77'],
  ]);
  t.same(asked, [{ name: 'g.example.garden.test', rd: true }], 'only the garden name was resolved, with RD=1 whatever the client sent');
});

t.test('a local-data CNAME redirect is resolved the same way; an unresolvable target leaves the CNAME alone', async (t) => {
  const policy = await policyOf({ name: 'policy.rpz', body: ZONE });
  const { asked, resolve } = fakeResolver();
  const decision = await evaluate(policy, ask('kids.example'), resolve);
  t.same(decodeReply(message(decision)).answers?.map((r) => (r as { data?: unknown }).data), ['safe.example.test', '192.0.2.88']);
  t.same(asked.map((a) => a.name), ['safe.example.test']);
  const failing = async (): Promise<Resolved> => {
    throw new Error('upstream down');
  };
  const alone = await evaluate(policy, ask('kids.example'), failing);
  t.same(decodeReply(message(alone)).answers?.map((r) => r.type), ['CNAME']);
});

t.test('DROP, TCP-only, the stop page and a disabled zone', async (t) => {
  const policy = await policyOf(
    { name: 'off.rpz', body: 'www.example.test CNAME .', over: { policy: 'disabled' } },
    { name: 'policy.rpz', body: ZONE },
    { name: 'stop.rpz', body: 'stopme.example CNAME .', over: { policy: 'stop-page' } },
  );
  const { resolve } = fakeResolver();
  const drop = await evaluate(policy, ask('drop.example'), resolve);
  t.same([drop.source, drop.message, drop.policy?.kind], ['policy', null, ActionKind.DROP], 'DROP: nothing to send');
  t.ok(decodeReply(message(await evaluate(policy, ask('tcp.example'), resolve))).flag_tc, 'TCP-only: TC=1 over UDP');
  const tcp = await evaluate(policy, ask('tcp.example', '127.0.0.1', { transport: 'tcp' }), resolve);
  t.same([tcp.source, tcp.policy?.kind], ['upstream', ActionKind.TCP_ONLY], 'TCP-only: resolved over TCP');
  const stop = await evaluate(policy, ask('stopme.example'), resolve, stopPageRdata(['192.0.2.53', '2001:db8::53']));
  t.equal(stop.policy?.kind, ActionKind.STOP_PAGE);
  t.same(decodeReply(message(stop)).answers?.map((r) => (r as { data?: unknown }).data), ['192.0.2.53'], 'the stop page address');
  const off = await evaluate(policy, ask('www.example.test'), resolve);
  t.same([off.source, off.policy, off.wouldHave?.map((h) => h.via)], ['upstream', undefined, ['www.example.test.off.rpz']], 'disabled: "would have", nothing applied');
});
