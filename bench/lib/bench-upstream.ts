/**
 * The upstream the forwarding benchmarks share: NSD on 127.0.0.1 (test/helpers/nsd.ts), authoritative for
 * bench.test, with FIXED_NAMES names of A and AAAA (the names answered from the cache once warmed), the wildcard
 * *.miss.bench.test for unique names (cache misses), and a root wildcard that answers any other name (a name a
 * policy zone lists, once unlisted). NSD inherits the caller's CPU pinning (pinSelf).
 */
import { startNsd, type RunningNsd } from '../../test/helpers/nsd.js';

/** `host001.bench.test` .. `host300.bench.test`. */
export const FIXED_NAMES = 300;

/** Fixed name i (1-based). */
export function fixedName(i: number): string {
  return `host${String(i).padStart(3, '0')}.bench.test`;
}

/** Every fixed name once per type, as dnsperf input lines: the warm-up. */
export function fixedQueryLines(): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= FIXED_NAMES; i++) lines.push(`${fixedName(i)} A`, `${fixedName(i)} AAAA`);
  return lines;
}

/** Starts NSD serving bench.test and the root wildcard; resolves once it answers. */
export function startBenchNsd(): Promise<RunningNsd> {
  const hosts: string[] = [];
  for (let i = 1; i <= FIXED_NAMES; i++) {
    const label = fixedName(i).slice(0, -'.bench.test'.length);
    hosts.push(`${label} IN A 192.0.2.${(i % 250) + 1}`, `${label} IN AAAA 2001:db8::${i.toString(16)}`);
  }
  const benchTest = ['$ORIGIN bench.test.', '$TTL 3600', '@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600', '@ IN NS ns', 'ns IN A 127.0.0.1', ...hosts, '*.miss IN A 192.0.2.254', '*.miss IN AAAA 2001:db8::ffff'];
  const root = ['$TTL 3600', '. IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 3600', '. IN NS ns.invalid.', '* IN A 192.0.2.200', '* IN AAAA 2001:db8::200'];
  return startNsd({ zones: [{ name: 'bench.test', text: benchTest.join('\n') }, { name: '.', text: root.join('\n') }] });
}
