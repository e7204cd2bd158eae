import { BlockList, isIP } from 'node:net';
import t from 'tap';
import { readAddress } from '../../../src/rpz/address-bytes.js';
import { addressToString } from '../../../src/rpz/ip-prefix.js';
import { parseNetwork } from '../../../src/config/address.js';
import { inNetworks, maskTo, networkList } from '../../../src/server/rate-limit/networks.js';
import { prng } from '../../helpers/prng.js';

t.test('inNetworks agrees with net.BlockList for random addresses and networks', async (t) => {
  const random = prng(24);
  const byte = () => Math.floor(random() * 256);
  const failures: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const v4 = random() < 0.5;
    const bits = Math.floor(random() * (v4 ? 33 : 129));
    const base = v4 ? `${byte()}.${byte()}.${byte()}.${byte()}` : Array.from({ length: 8 }, () => ((byte() << 8) | byte()).toString(16)).join(':');
    const list = new BlockList();
    list.addSubnet(base, bits, v4 ? 'ipv4' : 'ipv6');
    const networks = networkList([parseNetwork(`${base}/${bits}`)!]);
    // Addresses near the network (same first bytes, then random) and anywhere.
    for (let j = 0; j < 20; j++) {
      const bytes = new Uint8Array(16);
      readAddress(base, bytes);
      const keep = Math.floor(random() * 17);
      for (let k = (v4 ? 12 : 0) + keep; k < 16; k++) bytes[k] = byte();
      const address = addressToString(bytes, v4 ? 4 : 6);
      const want = list.check(address, v4 ? 'ipv4' : 'ipv6');
      readAddress(address, bytes);
      if (inNetworks(bytes, networks) !== want) failures.push(`${address} in ${base}/${bits}: BlockList says ${want}`);
    }
  }
  t.same(failures.slice(0, 5), [], `${failures.length} disagreements`);
});

t.test('maskTo keeps the first bits only', async (t) => {
  const rows: Array<[string, number, string]> = [
    ['192.0.2.77', 96 + 24, '192.0.2.0'],
    ['192.0.2.77', 96 + 32, '192.0.2.77'],
    ['192.0.2.255', 96 + 25, '192.0.2.128'],
    ['2001:db8:1234:5678:9abc::1', 56, '2001:db8:1234:5600::'],
    ['2001:db8:1234:5678:9abc::1', 128, '2001:db8:1234:5678:9abc::1'],
  ];
  for (const [address, bits, want] of rows) {
    const bytes = new Uint8Array(16);
    const family = readAddress(address, bytes);
    t.equal(addressToString(maskTo(bytes, bits, new Uint8Array(16)), family === 4 ? 4 : 6), want, `${address} /${bits}`);
  }
});

t.test('readAddress agrees with net.isIP on random strings built from address characters', async (t) => {
  const random = prng(5);
  const alphabet = '0123456789abcdefABCDEF:.:.%';
  const failures: string[] = [];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 50_000; i++) {
    const length = 1 + Math.floor(random() * 16);
    let text = '';
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
    const ours = readAddress(text, bytes);
    const node = text.includes('%') && text.includes(':') ? isIP(text.slice(0, text.indexOf('%'))) : isIP(text);
    if ((ours === 0) !== (node === 0)) failures.push(`${JSON.stringify(text)}: ours ${ours}, net.isIP ${node}`);
  }
  t.same(failures.slice(0, 5), [], `${failures.length} disagreements in 50,000`);
});
