import t from 'tap';
import { parseUpstreamAddress } from '../../src/upstream/index.js';

t.test('parses the configured forms', async (t) => {
  const rows = [
    { text: '192.0.2.1:53', want: { host: '192.0.2.1', port: 53, family: 4 } },
    { text: '127.0.0.1:5300', want: { host: '127.0.0.1', port: 5300, family: 4 } },
    { text: '[2001:db8::1]:53', want: { host: '2001:db8::1', port: 53, family: 6 } },
    { text: '[::1]:65535', want: { host: '::1', port: 65535, family: 6 } },
    { text: '[2001:DB8:0:0:0:0:0:1]:853', want: { host: '2001:db8::1', port: 853, family: 6 }, why: 'canonical form, as the kernel reports sources' },
  ];
  for (const row of rows) {
    t.same(parseUpstreamAddress(row.text), { ...row.want, label: row.text }, row.why ?? row.text);
  }
});

t.test('refuses what is not "addr:port", naming it and the expected form', async (t) => {
  const rows = ['', '192.0.2.1', '192.0.2.1:', '192.0.2.1:0', '192.0.2.1:65536', '192.0.2.1:53x', '2001:db8::1:53', '[192.0.2.1]:53', '[2001:db8::zz]:53', '[fe80::1%eth0]:53', 'dns.example:53', '256.0.0.1:53', ' 192.0.2.1:53', '192.0.2.1:123456'];
  for (const text of rows) {
    t.throws(() => parseUpstreamAddress(text), { message: new RegExp(`upstream "${text.replace(/[[\]]/g, '\\$&')}": expected "192\\.0\\.2\\.1:53"`) }, JSON.stringify(text));
  }
});
