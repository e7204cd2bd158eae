import t from 'tap';
import { ActionKind, cnameAction } from '../../src/rpz/actions.js';
import { parseLocalData } from '../../src/rpz/local-data.js';
import { TriggerType, triggerOwner } from '../../src/rpz/triggers.js';

t.test('triggerOwner classifies owners relative to the zone', async (t) => {
  const rows: Array<[string, ReturnType<typeof triggerOwner>]> = [
    ['policy.rpz', null],
    ['bad.example.policy.rpz', { type: TriggerType.QNAME, key: 'bad.example', wildcard: false }],
    ['*.bad.example.policy.rpz', { type: TriggerType.QNAME, key: 'bad.example', wildcard: true }],
    ['*.policy.rpz', { type: TriggerType.QNAME, key: '', wildcard: true }],
    ['32.1.2.0.192.rpz-client-ip.policy.rpz', { type: TriggerType.CLIENT_IP, key: '32.1.2.0.192', wildcard: false }],
    ['24.0.2.0.192.rpz-ip.policy.rpz', { type: TriggerType.IP, key: '24.0.2.0.192', wildcard: false }],
    ['48.zz.bad.db8.2001.rpz-nsip.policy.rpz', { type: TriggerType.NSIP, key: '48.zz.bad.db8.2001', wildcard: false }],
    ['ns.bad.example.rpz-nsdname.policy.rpz', { type: TriggerType.NSDNAME, key: 'ns.bad.example', wildcard: false }],
    ['*.bad.example.rpz-nsdname.policy.rpz', { type: TriggerType.NSDNAME, key: 'bad.example', wildcard: true }],
    ['rpz-ip.example.policy.rpz', { type: TriggerType.QNAME, key: 'rpz-ip.example', wildcard: false }],
  ];
  for (const [owner, want] of rows) t.same(triggerOwner(owner, 'policy.rpz'), want, owner);
});

t.test('cnameAction decodes the special targets as the draft and BIND do', async (t) => {
  const rows: Array<[string, string, unknown]> = [
    ['', 'bad.example', { kind: ActionKind.NXDOMAIN }],
    ['*', 'bad.example', { kind: ActionKind.NODATA }],
    ['rpz-passthru', 'ok.example', { kind: ActionKind.PASSTHRU }],
    ['ok.example', 'ok.example', { kind: ActionKind.PASSTHRU }],
    ['rpz-drop', 'x', { kind: ActionKind.DROP }],
    ['rpz-tcp-only', 'x', { kind: ActionKind.TCP_ONLY }],
    ['*.garden.example', 'x', { kind: ActionKind.GARDEN, garden: 'garden.example' }],
    ['walled.example', 'x', { kind: 'local-cname', target: 'walled.example' }],
    ['rpz-unknown', 'x', { kind: 'reserved', target: 'rpz-unknown' }],
  ];
  for (const [target, trigger, want] of rows) t.same(cnameAction(target, trigger), want, `CNAME ${target || '.'}`);
});

t.test('parseLocalData encodes RDATA from master-file tokens', async (t) => {
  const good: Array<[string, string[], string]> = [
    ['A', ['192.0.2.1'], '0004c0000201'],
    ['AAAA', ['2001:db8::1'], '001020010db8000000000000000000000001'],
    ['TXT', ['blocked', 'by policy'], '0012' + Buffer.from('\x07blocked\x09by policy').toString('hex')],
    ['MX', ['10', 'mail'], '0013000a046d61696c06706f6c69637903727a7000'], // length 19: preference, then mail.policy.rzp. made absolute
    ['CNAME', ['garden.example.'], '0010' + '0667617264656e076578616d706c6500'],
    ['TYPE65', ['\\#', '3', '000100'], '0003000100'],
  ];
  for (const [type, tokens, hex] of good) {
    const parsed = parseLocalData(type, 60, tokens, 'policy.rzp');
    t.ok(parsed.ok, `${type} ${tokens.join(' ')}`);
    if (parsed.ok) t.equal(parsed.record.rdata.toString('hex'), hex, `${type} rdata`);
  }
  const mx = parseLocalData('MX', 60, ['10', 'mail'], 'policy.rzp');
  t.ok(mx.ok && mx.record.rdata.includes(Buffer.from('\x04mail\x06policy\x03rzp\x00', 'latin1')), 'relative MX exchange made absolute');
  const bad: Array<[string, string[], RegExp]> = [
    ['A', ['192.0.2.300'], /expected an IPv4 address/],
    ['AAAA', ['192.0.2.1'], /expected an IPv6 address/],
    ['HTTPS', ['1', '.', 'alpn=h2'], /needs the RFC 3597 form/],
    ['TYPE65', ['\\#', '4', '00'], /expected "\\# length hex"/],
  ];
  for (const [type, tokens, reason] of bad) {
    const parsed = parseLocalData(type, 60, tokens, 'policy.rpz');
    t.notOk(parsed.ok, `${type} ${tokens.join(' ')} refused`);
    if (!parsed.ok) t.match(parsed.reason, reason);
  }
});
