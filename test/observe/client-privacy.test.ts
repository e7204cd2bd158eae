import t from 'tap';
import { clientWriter } from '../../src/observe/client-privacy.js';

t.test('client privacy modes', async (t) => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const truncate = clientWriter('truncate', key);
  const rows: Array<[string, string]> = [
    ['192.0.2.77', '192.0.2.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['2001:db8:1234:5678:9abc::1', '2001:db8:1234:5600::/56'],
    // RFC 5952 section 4.2: the longest run of zero groups is written "::" (the text a user greps for).
    ['fe80::1', 'fe80::/56'],
    ['2001:db8:0:12::1', '2001:db8::/56'],
    ['2001:0db8:00ab:cd00::', '2001:db8:ab:cd00::/56'],
  ];
  for (const [address, want] of rows) t.equal(truncate(address), want, `truncate ${address}`);
  t.equal(clientWriter('keep', key)('192.0.2.77'), '192.0.2.77');
  const hash = clientWriter('hash', key);
  t.match(hash('192.0.2.77'), /^[0-9a-f]{16}$/);
  t.equal(hash('192.0.2.77'), hash('192.0.2.77'), 'stable for the same key');
  t.not(hash('192.0.2.77'), hash('192.0.2.78'));
  t.not(hash('192.0.2.77'), clientWriter('hash', Buffer.from('another key, another hash!!!!!!'))('192.0.2.77'), 'keyed');
});
