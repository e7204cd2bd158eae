import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../src/observe/logger.js';
import { RepeatedLines } from '../../src/observe/repeated-lines.js';

/** A logger whose lines land in `lines`, and a clock the test moves. */
function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const clock = { now: 1_000_000 };
  const repeated = new RepeatedLines(createLogger('info', sink), { now: () => clock.now });
  return { lines, clock, repeated };
}

t.test('the first line of a kind in a minute is written; the others are counted and summarised when the minute is over', async (t) => {
  const { lines, clock, repeated } = setup();
  const admitted = Array.from({ length: 500 }, () => repeated.admit('NOTIFY refused', 'warn'));
  t.same(admitted.map((a, i) => (a ? i : -1)).filter((i) => i >= 0), [0], 'only the first of 500 is admitted');
  t.same(lines, [], 'the summary waits for the end of the minute');

  clock.now += 59_999;
  t.equal(repeated.admit('NOTIFY refused', 'warn'), false, 'still within the minute');
  clock.now += 1;
  t.equal(repeated.admit('NOTIFY refused', 'warn'), true, 'a new minute: admitted again');
  t.match(lines, [{ level: 40, kind: 'NOTIFY refused', more: 500, msg: '500 more like this in the last minute: NOTIFY refused' }], 'one summary, at the level of the kind');
});

t.test('kinds are counted apart; a kind with nothing left out writes no summary', async (t) => {
  const { lines, clock, repeated } = setup();
  t.equal(repeated.admit('a', 'warn'), true);
  t.equal(repeated.admit('b', 'error'), true, 'another kind is admitted in the same minute');
  t.equal(repeated.admit('b', 'error'), false);
  clock.now += 60_000;
  repeated.admit('a', 'warn');
  repeated.admit('b', 'error');
  t.match(lines, [{ level: 50, kind: 'b', more: 1 }], 'b summarised once, a not at all');
  t.equal(lines.length, 1);
});

t.test('close() writes the summaries still pending', async (t) => {
  const { lines, repeated } = setup();
  repeated.admit('TCP server error', 'warn');
  repeated.admit('TCP server error', 'warn');
  repeated.admit('TCP server error', 'warn');
  repeated.close();
  t.match(lines, [{ kind: 'TCP server error', more: 2 }]);
});
