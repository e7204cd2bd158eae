import t from 'tap';
import { unmapIPv4 } from '../../src/dns/ipv4-mapped.js';

t.test('an IPv4-mapped IPv6 address is the IPv4 address it carries; anything else is unchanged', async (t) => {
  const rows = [
    { address: '::ffff:192.0.2.1', want: '192.0.2.1', why: 'as a dual-stack socket reports an IPv4 peer' },
    { address: '::FFFF:192.0.2.1', want: '192.0.2.1', why: 'hex digits in upper case' },
    { address: '192.0.2.1', want: '192.0.2.1', why: 'IPv4 already' },
    { address: '2001:db8::1', want: '2001:db8::1', why: 'IPv6' },
    { address: '::ffff:1:2', want: '::ffff:1:2', why: 'the prefix followed by IPv6 groups, not a dotted quad' },
    { address: '::ffff:192.0.2', want: '::ffff:192.0.2', why: 'the prefix followed by no whole IPv4 address' },
    { address: '::ffff:', want: '::ffff:', why: 'the prefix alone' },
    { address: '1::ffff:192.0.2.1', want: '1::ffff:192.0.2.1', why: 'the text only in the middle' },
  ];
  for (const row of rows) t.equal(unmapIPv4(row.address), row.want, `${row.address}: ${row.why}`);
});
