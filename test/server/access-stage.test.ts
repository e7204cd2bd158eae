import t from 'tap';
import { parseNetwork } from '../../src/config/address.js';
import { accessStage, allowList } from '../../src/server/stages/access.js';
import { decodeReply } from '../helpers/dns-client.js';
import { recordingNext, stageQuery, upstreamAnswer } from '../helpers/stage-query.js';

/** Networks as the config yields them. */
const networks = (texts: string[]) => texts.map((text) => parseNetwork(text)!);

/** The access stage alone, with a recording fake `next`. */
t.test('access: allowed networks go on to next; everyone else gets REFUSED and next never runs', async (t) => {
  const stage = accessStage(allowList(networks(['192.0.2.0/24', '2001:db8::/32', '127.0.0.1'])));
  const rows: Array<{ client: string; allowed: boolean }> = [
    { client: '192.0.2.77', allowed: true },
    { client: '192.0.3.1', allowed: false },
    { client: '::ffff:192.0.2.9', allowed: true }, // IPv4-mapped: checked as the IPv4 address it carries
    { client: '::ffff:198.51.100.1', allowed: false },
    { client: '2001:db8:ffff::1', allowed: true },
    { client: '2001:db9::1', allowed: false },
    { client: '127.0.0.1', allowed: true },
    { client: '127.0.0.2', allowed: false }, // a bare address is a /32
  ];
  for (const row of rows) {
    const upstream = upstreamAnswer('www.example.test');
    const { seen, next } = recordingNext(upstream);
    const answer = await stage(stageQuery('www.example.test', { client: row.client }), next);
    if (row.allowed) {
      t.equal(answer, upstream, `${row.client}: next's answer, untouched`);
      t.same(seen, ['www.example.test'], `${row.client}: next ran`);
    } else {
      t.same(seen, [], `${row.client}: next never ran`);
      t.match(answer, { source: 'local', rcode: 5 }, `${row.client}: REFUSED`);
      const reply = decodeReply(answer.message!);
      t.same([reply.rcode, reply.answers?.length, reply.questions?.[0]?.name], ['REFUSED', 0, 'www.example.test'], `${row.client}: an empty REFUSED for the question asked`);
    }
  }
});

t.test('access: the verdict for an address does not change when asked again (the memo)', async (t) => {
  const stage = accessStage(allowList(networks(['10.0.0.0/8'])));
  for (let i = 0; i < 3; i++) {
    t.match(await stage(stageQuery('a.test', { client: '10.1.2.3' }), recordingNext(upstreamAnswer('a.test')).next), { source: 'upstream' }, `allowed, round ${i + 1}`);
    t.match(await stage(stageQuery('a.test', { client: '11.1.2.3' }), recordingNext(upstreamAnswer('a.test')).next), { rcode: 5 }, `refused, round ${i + 1}`);
  }
});
