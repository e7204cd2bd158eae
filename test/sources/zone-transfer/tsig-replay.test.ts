import t from 'tap';
import { SeenMacs } from '../../../src/sources/zone-transfer/tsig-replay.js';

const mac = (n: number): Buffer => Buffer.alloc(32, n);

t.test('a MAC is fresh once within its window, and again once the window is over (the time check refuses it then)', async (t) => {
  const clock = { now: 1_700_000_000_000 };
  const seen = new SeenMacs({ now: () => clock.now });
  const signed = clock.now / 1000;
  t.equal(seen.fresh(mac(1), signed, 300), true, 'first copy');
  t.equal(seen.fresh(mac(1), signed, 300), false, 'a copy at once');
  clock.now += 300_000;
  t.equal(seen.fresh(mac(1), signed, 300), false, 'a copy at the end of the fudge window');
  t.equal(seen.fresh(mac(2), signed, 300), true, 'another MAC signed at the same second');
  clock.now += 1_001;
  t.equal(seen.fresh(mac(1), signed, 300), true, 'forgotten once Time Signed + fudge has passed');
});

t.test('a full set forgets the oldest and refuses anything signed no later than it, so no replay slips through', async (t) => {
  const clock = { now: 1_700_000_000_000 };
  const seen = new SeenMacs({ now: () => clock.now, max: 3 });
  const at = (seconds: number): number => clock.now / 1000 + seconds;
  t.same([seen.fresh(mac(1), at(0), 300), seen.fresh(mac(2), at(1), 300), seen.fresh(mac(3), at(2), 300)], [true, true, true]);
  t.equal(seen.fresh(mac(4), at(3), 300), true, 'a fourth pushes out the first');
  t.equal(seen.fresh(mac(1), at(0), 300), false, 'the forgotten first is still refused (signed no later than the floor)');
  t.equal(seen.fresh(mac(5), at(0), 300), false, 'as is any request signed that early');
  t.equal(seen.fresh(mac(6), at(4), 300), true, 'a newer one is accepted');
});
