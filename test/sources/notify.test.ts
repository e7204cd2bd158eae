import t from 'tap';
import { endpoint } from '../../src/config/address.js';
import pino from 'pino';
import dnsPacket from 'dns-packet';
import { packetHandler } from '../../src/server/handle-packet.js';
import type { PacketMeta } from '../../src/model/query.js';
import { notifyResponder, OPCODE_NOTIFY } from '../../src/sources/notify.js';
import type { PolicyZones } from '../../src/sources/policy-zones.js';
import { decodeReply } from '../helpers/dns-client.js';
import { answerWith, pointer } from '../helpers/malformed-answers.js';

/** A NOTIFY is a peer's bytes too (issue 17, D11): a malformed one gets FORMERR and starts no refresh. */

const meta: PacketMeta = { client: { address: '127.0.0.1', port: 40000 }, transport: 'udp', listener: '127.0.0.1:5353' };

function notifyFor(zone: string, withForwardPointer: boolean): Buffer {
  const query = dnsPacket.encode({ type: 'query', id: 77, questions: [{ name: zone, type: 'SOA', class: 'IN' }] });
  // An A record in the answer section (a hint of the new SOA is allowed, RFC 1996 section 3.7); its owner points back to the question, or forward past the end.
  const message = answerWith(query, [1, 0, 0], (at) => [...pointer(withForwardPointer ? at + 40 : 12), 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
  message[2] = OPCODE_NOTIFY << 3; // a request: QR=0, opcode NOTIFY
  message[3] = 0;
  return message;
}

t.test('a malformed NOTIFY from a primary: FORMERR, no refresh; a well-formed one: NOERROR and a refresh', async (t) => {
  const refreshed: number[] = [];
  const zones = {
    secondary: (name: string) => (name === 'rpz.test' ? { index: 0, primaries: [endpoint('127.0.0.1:5300', 'primary')], key: undefined } : null),
    refresh: async (index: number) => refreshed.push(index) > 0,
  } as unknown as PolicyZones;
  const log = pino({ level: 'silent' });
  const handle = packetHandler(async () => Promise.reject(new Error('no queries here')), { maxUdpPayload: 1232 }, log, undefined, notifyResponder(zones, log));
  const bad = decodeReply((await handle(notifyFor('rpz.test', true), meta))!);
  t.equal(bad.rcode, 'FORMERR', 'malformed: FORMERR');
  t.same(refreshed, [], 'malformed: no refresh');
  const good = decodeReply((await handle(notifyFor('rpz.test', false), meta))!);
  t.equal(good.rcode, 'NOERROR', 'well-formed: NOERROR');
  t.same(refreshed, [0], 'well-formed: the zone is checked');
});
