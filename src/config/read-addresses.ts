import { availableParallelism } from 'node:os';
import { endpointExpected, networkMaxBits, parseEndpoint, parseNetwork, type Endpoint, type EndpointForm, type Network } from './address.js';
import type { MeaningProblem } from './check-meaning.js';
import type { ReadGroups } from './read-groups.js';
import type { Config, RawConfig } from './schema.js';

const UPSTREAM = 'an IP address and a port from 1 to 65535, like "192.0.2.1:53" or "[2001:db8::1]:53"';
const LISTENER = 'an IP address and a port from 0 to 65535 (0: any free port), like "127.0.0.1:8080" or "[::1]:8080"';
const PRIMARY: EndpointForm = { defaultPort: 53 };

/**
 * Parses every address and network of a schema-valid config once, before it
 * is frozen: upstreams, primaries, the stop page's and admin listeners,
 * access.allow and rateLimit.exempt. Returns the config with new lists of
 * parsed values (the text lists, which may be the schema's shared defaults,
 * are not touched), or the first entry that does not parse, with its key
 * path and what is expected. The groups, schedules and zones' groups come
 * read already (read-groups.ts). `workers: auto` becomes the CPUs this process
 * may run on, read here once like the addresses.
 */
export function readAddresses(config: RawConfig, grouped: ReadGroups): Config | MeaningProblem {
  try {
    return {
      ...config,
      workers: config.workers === 'auto' ? availableParallelism() : config.workers,
      groups: grouped.groups,
      schedules: grouped.schedules,
      upstreams: endpoints(config.upstreams, ['upstreams'], {}, UPSTREAM),
      access: { ...config.access, allow: networks(config.access.allow, ['access', 'allow']) },
      rateLimit: { ...config.rateLimit, exempt: networks(config.rateLimit.exempt, ['rateLimit', 'exempt']) },
      policy: {
        ...config.policy,
        zones: config.policy.zones.map(({ primaries, groups: _groups, ...zone }, i) => ({
          ...zone,
          groups: grouped.zoneGroups[i]!,
          ...(primaries !== undefined && { primaries: endpoints(primaries, ['policy', 'zones', String(i), 'primaries'], PRIMARY, endpointExpected(PRIMARY)) }),
        })),
      },
      stopPage: {
        ...config.stopPage,
        http: endpoints(config.stopPage.http, ['stopPage', 'http'], { listener: true }, LISTENER),
        https: endpoints(config.stopPage.https, ['stopPage', 'https'], { listener: true }, LISTENER),
      },
      admin: { ...config.admin, listen: endpoints(config.admin.listen, ['admin', 'listen'], { listener: true }, LISTENER) },
    };
  } catch (error) {
    if (error instanceof AddressProblem) return error.problem;
    throw error;
  }
}

/** Carries the first bad entry out of the mapping above. */
class AddressProblem extends Error {
  readonly problem: MeaningProblem;
  constructor(problem: MeaningProblem) {
    super(problem.expected);
    this.problem = problem;
  }
}

function endpoints(list: readonly string[], path: string[], form: EndpointForm, expected: string): Endpoint[] {
  return list.map((text, i) => parseEndpoint(text, form) ?? fail({ path: [...path, String(i)], value: text, expected }));
}

function networks(list: readonly string[], path: string[]): Network[] {
  const expected = (text: string): string => `an address or a network like "192.0.2.0/24" or "2001:db8::/32" (prefix at most ${networkMaxBits(text)})`;
  return list.map((text, i) => parseNetwork(text) ?? fail({ path: [...path, String(i)], value: text, expected: expected(text) }));
}

function fail(problem: MeaningProblem): never {
  throw new AddressProblem(problem);
}
