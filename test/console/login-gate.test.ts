import t from 'tap';
import { clientKey, LoginGate } from '../../src/console/auth/login-gate.js';

/** One password check at a time, whoever asks; the rate limit counts an IPv6 client by its /64. */
t.test('a check while another runs is turned away at once; the next one after it runs', async (t) => {
  const gate = new LoginGate();
  let finish: (value: string) => void = () => undefined;
  const first = gate.run(() => new Promise<string>((resolve) => (finish = resolve)));
  t.equal(await gate.run(async () => 'second'), undefined, 'busy: refused without waiting');
  finish('first');
  t.equal(await first, 'first');
  t.equal(await gate.run(async () => 'third'), 'third', 'free again');
  await t.rejects(gate.run(async () => Promise.reject(new Error('scrypt failed'))), { message: 'scrypt failed' });
  t.equal(await gate.run(async () => 'after a failure'), 'after a failure', 'a failed check frees its place');
});

t.test('rate-limit keys: IPv4 as is, IPv6 by /64 however it is written', async (t) => {
  const rows: Array<[string, string]> = [
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::5', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ];
  for (const [address, key] of rows) t.equal(clientKey(address), key, address);
});
