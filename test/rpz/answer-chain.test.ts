import t from 'tap';
import dnsPacket from 'dns-packet';
import { answerChain } from '../../src/rpz/answer-chain.js';
import { readQuestion } from '../../src/dns/wire.js';
import { answerWith, pointer } from '../helpers/malformed-answers.js';

const ttlAndA = (ip: number): number[] => [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, ip];

t.test('answerChain follows owners and targets given as compression pointers, as real upstreams send them', async (t) => {
  // The question in mixed case; the chain starts from its lower-case form.
  const query = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'WwW.Example.COM', type: 'A', class: 'IN' }] });
  // www CNAME cdn.<pointer to "example.com">; an A owned by a pointer to that target; an A owned by a pointer to the
  // question's parent ("example.com"), which is on no step: its address goes to the last step, as every stray one does.
  const message = answerWith(query, [3, 0, 0], (questionEnd) => [
    ...pointer(12), 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 0x63, 0x64, 0x6e, ...pointer(16),
    ...pointer(questionEnd + 12), ...ttlAndA(3),
    ...pointer(16), ...ttlAndA(4),
  ]);
  const chain = answerChain(message, readQuestion(message)!.end, 'www.example.com', true)!;
  t.same(
    chain.steps.map((step) => [step.name, step.addresses.map((address) => address.bytes.subarray(12).join('.'))]),
    [
      ['www.example.com', []],
      ['cdn.example.com', ['192.0.2.3', '192.0.2.4']],
    ],
  );
  t.equal(chain.cnames.length, 1, 'the CNAME kept for rewriting');
  t.equal(dnsPacket.decode(Buffer.concat([Buffer.from([0, 0, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0]), chain.cnames[0]!])).answers?.[0]?.name, 'WwW.Example.COM', 'uncompressed, its owner as the upstream wrote it');
});
