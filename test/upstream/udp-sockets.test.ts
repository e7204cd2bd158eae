import t from 'tap';
import { fromUpstream } from '../../src/upstream/udp-sockets.js';
import { endpoint } from '../../src/config/address.js';

t.test('only the upstream address and port count as its answer', async (t) => {
  const v4 = endpoint('127.0.0.1:5300', 'upstream');
  const v6 = endpoint('[0:0::1]:5300', 'upstream');
  const rows = [
    { target: v4, from: { address: '127.0.0.1', port: 5300 }, want: true },
    { target: v4, from: { address: '127.0.0.1', port: 5301 }, want: false },
    { target: v4, from: { address: '127.0.0.2', port: 5300 }, want: false },
    { target: v6, from: { address: '::1', port: 5300 }, want: true },
    { target: v6, from: { address: '::1', port: 53 }, want: false },
    { target: v6, from: { address: '::2', port: 5300 }, want: false },
  ];
  for (const row of rows) t.equal(fromUpstream(row.from, row.target), row.want, `${row.target.label} <- ${row.from.address}:${row.from.port}`);
});
