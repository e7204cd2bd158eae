import { createHmac, randomBytes } from 'node:crypto';
import t from 'tap';
import { PrecomputedHmac } from '../../src/observe/precomputed-hmac.js';
import { prng } from '../helpers/prng.js';

/** RFC 4231 test cases 1, 2 and 6 (a key longer than the block), then random keys and messages against createHmac. */
t.test('the same digest as createHmac: RFC 4231 vectors, long keys, random keys and messages', async (t) => {
  const hex = (key: string | Buffer, message: string) => new PrecomputedHmac(key).digest(message).toString('hex');
  t.equal(hex(Buffer.alloc(20, 0x0b), 'Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', 'RFC 4231 test case 1');
  t.equal(hex('Jefe', 'what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'RFC 4231 test case 2 (a string key)');
  t.equal(hex(Buffer.alloc(131, 0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54', 'RFC 4231 test case 6 (131-byte key)');
  const random = prng(20261206);
  let compared = 0;
  const differing: number[] = [];
  for (let i = 0; i < 200; i++) {
    const key = randomBytes(Math.floor(random() * 150));
    const hmac = new PrecomputedHmac(key);
    for (let j = 0; j < 3; j++) {
      const message = Array.from({ length: Math.floor(random() * 300) }, () => String.fromCodePoint(Math.floor(random() * 0x2fff))).join('');
      compared++;
      if (hmac.digest(message).toString('hex') !== createHmac('sha256', key).update(message, 'utf8').digest('hex')) differing.push(key.length);
    }
  }
  t.equal(compared, 600);
  t.same(differing, [], 'random keys of 0 to 149 bytes, one HMAC object each reused 3 times: every digest equal (the key sizes of any that differ)');
});
