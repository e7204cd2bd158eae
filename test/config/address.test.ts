import t from 'tap';
import { endpoint, parseEndpoint, parseNetwork } from '../../src/config/address.js';

/** As the upstream pool took its addresses before the config parsed them: the forms an upstream may take. */
const parseUpstreamAddress = (text: string) => endpoint(text, 'upstream');

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

t.test('primaries: a bare address takes port 53', async (t) => {
  const rows = [
    { text: '192.0.2.1', want: { host: '192.0.2.1', port: 53, family: 4 } },
    { text: '192.0.2.1:5300', want: { host: '192.0.2.1', port: 5300, family: 4 } },
    { text: '2001:db8::1', want: { host: '2001:db8::1', port: 53, family: 6 } },
    { text: '[2001:DB8::0:1]', want: { host: '2001:db8::1', port: 53, family: 6 } },
    { text: '[2001:db8::1]:5300', want: { host: '2001:db8::1', port: 5300, family: 6 } },
  ];
  for (const row of rows) t.same(parseEndpoint(row.text, { defaultPort: 53 }), { ...row.want, label: row.text }, row.text);
  for (const text of ['primary.example:53', '192.0.2.1:99999', '192.0.2.1:0', '[192.0.2.1]', '2001:db8::1:53x', '']) {
    t.equal(parseEndpoint(text, { defaultPort: 53 }), null, JSON.stringify(text));
  }
});

t.test('listeners may take port 0 (any free port); peers may not', async (t) => {
  t.same(parseEndpoint('127.0.0.1:0', { listener: true }), { host: '127.0.0.1', port: 0, family: 4, label: '127.0.0.1:0' });
  t.equal(parseEndpoint('127.0.0.1:0'), null);
  t.equal(parseEndpoint('127.0.0.1', { listener: true }), null, 'a listener names its port');
});

t.test('an endpoint prints and logs as configured', async (t) => {
  const parsed = endpoint('[2001:DB8::1]:53', 'upstream');
  t.equal(`${parsed}`, '[2001:DB8::1]:53');
  t.equal(JSON.stringify({ upstreams: [parsed] }), '{"upstreams":["[2001:DB8::1]:53"]}');
});

t.test('networks: an address with an optional prefix within its family', async (t) => {
  const rows = [
    { text: '10.0.0.0/8', want: { address: '10.0.0.0', bits: 8, family: 4 } },
    { text: '192.0.2.1', want: { address: '192.0.2.1', bits: 32, family: 4 } },
    { text: '::1', want: { address: '::1', bits: 128, family: 6 } },
    { text: '2001:db8::/32', want: { address: '2001:db8::', bits: 32, family: 6 } },
    { text: '0.0.0.0/0', want: { address: '0.0.0.0', bits: 0, family: 4 } },
  ];
  for (const row of rows) t.same(parseNetwork(row.text), { ...row.want, label: row.text }, row.text);
  for (const text of ['10.0.0.0/33', '::1/129', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/-1', 'localhost', '10.0.0/8', '']) t.equal(parseNetwork(text), null, JSON.stringify(text));
});
