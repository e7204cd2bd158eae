import type { BlockEvent } from '../../src/observe/block-event.js';

/** One block-log line as the block log writes it (pino's key order), with `over` replacing fields. */
export function eventLine(over: Partial<Record<keyof BlockEvent | 'time' | 'level', unknown>>): string {
  const time = over.time ?? '2026-11-23T08:00:00.000Z';
  const { time: _time, ...rest } = over;
  return JSON.stringify({
    level: 30,
    time,
    msg: 'blocked',
    client: '192.0.2.1',
    qname: 'ads.example.com',
    qtype: 'A',
    zone: 'ads.rpz',
    list: 'ads',
    rule: 'ads.example.com',
    trigger: 'qname',
    action: 'nxdomain',
    ede: 15,
    listener: '127.0.0.1:53',
    transport: 'udp',
    ref: '7K3M9QX2',
    ...rest,
  });
}

const at = (hour: number, minute = 0): string => `2026-11-23T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
const repeat = (n: number, line: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => line(i));

/**
 * A small block log with known counts: 13 blocked (5 at 08:xx, 3 at 09:xx, 3 at 10:xx, 2 at 11:xx),
 * 2 would block, 1 passthru, and 6 lines that are not block events; 22 lines.
 */
export const SAMPLE_LINES: readonly string[] = [
  ...repeat(5, (i) => eventLine({ time: at(8, i) })),
  '{"level":30,"time":"2026-11-23T08:00:01.000Z","name":"stopzone","msg":"listening","address":"127.0.0.1:53"}',
  eventLine({ time: at(8, 30), msg: 'passthru', zone: 'allow.rpz', list: 'allow', action: 'passthru', level: 20, ede: null }),
  ...repeat(3, (i) => eventLine({ time: at(9, i), client: '192.0.2.2', qname: 'track.ads.example.com' })),
  ...repeat(2, (i) => eventLine({ time: at(9, 30 + i), msg: 'would block', zone: 'trial.rpz', list: 'trial', action: 'nodata', ede: null })),
  'garbage, not JSON',
  ...repeat(2, (i) => eventLine({ time: at(10, i), client: '2001:db8::5', qname: 'evil.test', zone: 'malware.rpz', list: 'malware', trigger: 'nsdname', action: 'stop-page' })),
  // Upper case and a trailing dot: counted as mixed.case.test. A truncated client.
  eventLine({ time: at(10, 40), client: '198.51.100.0/24', qname: 'Mixed.Case.Test.', zone: 'malware.rpz', list: 'malware', trigger: 'ip', action: 'drop' }),
  '{"level":30,"time":"2026-11-23T10:41:00.000Z","msg":"blocked","client":"192.0.2.1","qna',
  '',
  // A hashed client and a name with a quote (escaped: JSON.parse path).
  eventLine({ time: at(11, 5), client: 'a1b2c3d4e5f60718', qname: 'we"ird.test' }),
  // Epoch-ms time (pino's default clock).
  eventLine({ time: Date.parse(at(11, 10)), qname: 'num.test' }),
  '{"level":30,"time":"2026-11-23T11:20:00.000Z","msg":"blocked","client":"192.0.2.9","zone":"ads.rpz"}',
  `${eventLine({ time: at(11, 30) }).slice(0, 60)}${eventLine({ time: at(11, 31) })}`,
];

export const SAMPLE = `${SAMPLE_LINES.join('\n')}\n`;
