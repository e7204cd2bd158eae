import t from 'tap';
import { assertLoopback, assertLoopbackAll } from '../helpers/loopback-guard.js';

t.test('loopback passes, everything else throws naming the address', async (t) => {
  const allowed = ['127.0.0.1:53', '127.255.0.9:5300', '[::1]:53', '127.0.0.1', '::1', '[::1]'];
  const refused = ['9.9.9.9:53', '149.112.112.112:53', '[2620:fe::fe]:53', '0.0.0.0:53', '128.0.0.1:53', '::2', '[::]:53', 'localhost:53', '', '10.0.0.1'];
  for (const address of allowed) t.doesNotThrow(() => assertLoopback(address), address);
  for (const address of refused) t.throws(() => assertLoopback(address), { message: new RegExp(`${address.replace(/[[\].]/g, '\\$&')} is not on loopback`) }, address);
  t.doesNotThrow(() => assertLoopbackAll(['127.0.0.1:1', '[::1]:2']));
  t.throws(() => assertLoopbackAll(['127.0.0.1:1', '9.9.9.9:53']), { message: /9\.9\.9\.9:53/ });
});
