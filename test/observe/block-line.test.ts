import pino from 'pino';
import t from 'tap';
import type { BlockEvent } from '../../src/observe/block-event.js';
import { blockLines } from '../../src/observe/block-line.js';
import { storedEvent } from '../helpers/event-store.js';

/** What pino writes for the event at `ms`, with the block log's former settings (no base, ISO time). */
function pinoLine(event: BlockEvent, ms: number, debug: boolean): string {
  let line = '';
  const logger = pino({ level: 'debug', base: null, timestamp: () => `,"time":"${new Date(ms).toISOString()}"` }, { write: (text: string) => (line = text) });
  if (debug) logger.debug(event);
  else logger.info(event);
  return line;
}

/** The store's test event without its time: the block log's fields, in another order (pino keeps any order). */
const event = (fields: Partial<BlockEvent>): BlockEvent => {
  const { time: _time, ...fieldsOnly } = storedEvent(fields);
  return fieldsOnly as BlockEvent;
};

t.test("each line is pino's line for the same event, byte for byte", async (t) => {
  const line = blockLines();
  const cases: Array<[string, BlockEvent, boolean]> = [
    ['a block', event({}), false],
    ['a passthru hit, at debug', event({ msg: 'passthru', action: 'passthru', ede: null }), true],
    ['a would-block with no EDE', event({ msg: 'would block', ede: null }), false],
    ['an IP trigger with its address', event({ trigger: 'ip', rule: '32.10.2.0.192.rpz-ip.school.rpz', address: '192.0.2.10' }), false],
    ['a hashed client, IPv6 listener, TCP', event({ client: '3f2a9c0d11e4b7a8', listener: '[::1]:53', transport: 'tcp' }), false],
    ['escapes a name may carry', event({ qname: 'we\\"ird\\\\.name\\032with\\009escapes.example', rule: 'we\\"ird.example.school.rpz' }), false],
    ['quotes, backslashes, control characters and non-ASCII in a list name', event({ list: 'Liste "école" \\ tab\there\nline\u0001\u007f — ✓ 😀' }), false],
    ['a long name', event({ qname: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}` }), false],
    ['empty fields', event({ zone: '', list: '', rule: '', ref: '' }), false],
  ];
  const times = [0, 999, 1_765_000_000_123, 1_765_000_000_999, 1_765_000_001_000, 253_402_300_799_999];
  for (const [name, blockEvent, debug] of cases) {
    for (const ms of times) t.equal(line(blockEvent, ms, debug), pinoLine(blockEvent, ms, debug), `${name}, at ${ms}`);
  }
  // The one difference: a lone surrogate (a list name in the config could hold one), which pino writes as it is and
  // UTF-8 then turns into U+FFFD, is written escaped, so that the line reads back as it was given.
  const halfPair = event({ list: 'half \ud800 of a pair' });
  t.equal(JSON.parse(line(halfPair, 0, false)).list, 'half \ud800 of a pair', 'a lone surrogate reads back as it was');
  t.not(JSON.parse(Buffer.from(pinoLine(halfPair, 0, false)).toString()).list, 'half \ud800 of a pair', "pino's line, once UTF-8, does not");
  t.same(JSON.parse(line(event({}), 0, false)), { level: 30, time: '1970-01-01T00:00:00.000Z', ...event({}) }, 'it reads back as the event with its level and time');
});
