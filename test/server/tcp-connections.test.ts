import t from 'tap';
import { clientKey } from '../../src/server/tcp-connections.js';

/** What the per-client TCP cap counts together: one IPv4 address, or one IPv6 /64 (a host can use any address in its /64). */
const rows = [
  { name: 'IPv4 addresses apart', a: '192.0.2.1', b: '192.0.2.2', same: false },
  { name: 'IPv4 and the same address mapped into IPv6', a: '192.0.2.1', b: '::ffff:192.0.2.1', same: true },
  { name: 'two addresses in one IPv6 /64', a: '2001:db8:1:2::1', b: '2001:db8:1:2:aaaa:bbbb:cccc:dddd', same: true },
  { name: 'the same /64 spelled with and without zeros', a: '2001:db8:0:2::1', b: '2001:0db8:0000:0002:0:0:0:9', same: true },
  { name: 'neighbouring IPv6 /64s', a: '2001:db8:1:2::1', b: '2001:db8:1:3::1', same: false },
  { name: 'IPv6 loopback and link-local', a: '::1', b: 'fe80::1', same: false },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    t.equal(clientKey(row.a) === clientKey(row.b), row.same, `${row.a} and ${row.b}: ${row.same ? 'one client' : 'two clients'}`);
  });
}
