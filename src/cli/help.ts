import { describeConfigKeys } from '../config/describe-schema.js';
import { ENVIRONMENT_OVERRIDES } from '../config/environment.js';

export const MAIN_HELP = `Usage: stopzone <command> [options]

A DNS forwarder that enforces Response Policy Zones (RPZ).

Commands:
  serve           answer DNS on the configured addresses (what \`npm start\` runs)
  check           load policy zones as the server would and report what they hold
  healthcheck     exit 0 when the server answers /readyz (for container health checks)
  report          summarise block-log files: top names, clients, zones, hours
  passwd          print the hash of a console password (or, with --token, a new API token)
  schema          print the configuration's JSON Schema (for editors);
                  with --markdown, the configuration reference

Options:
  -h, --help      show help (\`stopzone serve --help\` lists every config key)
  -v, --version   print the version

Run \`stopzone <command> --help\` for a command's options.
`;

/** `stopzone serve --help`: options, environment overrides and every config key with its default. */
export function serveHelp(): string {
  const keys = describeConfigKeys()
    .map(({ key, defaultValue, description }) => `  ${key}\n      ${description}\n      default: ${defaultValue === undefined ? "none" : JSON.stringify(defaultValue)}`)
    .join('\n');
  const env = ENVIRONMENT_OVERRIDES.map((o) => `  ${o.variable.padEnd(28)} overrides ${o.path.join('.')} (e.g. ${o.example})`).join('\n');
  return `Usage: stopzone serve [--config PATH]

Answers DNS over UDP and TCP on the configured addresses, forwarding allowed
queries to the upstream resolvers and caching their answers.

Options:
  -c, --config PATH   YAML configuration file (default: the embedded defaults below)
  -h, --help          show this help

Environment (overrides the file):
${env}

Configuration keys (YAML, nested by the dots):
${keys}
`;
}

export const CHECK_HELP = `Usage: stopzone check [--zone NAME] [--format FORMAT] [--policy POLICY] FILE...
       stopzone check --config stopzone.yaml

Loads policy zones and plain lists exactly as the server does and prints, per
file, the triggers by type, the actions its answers take (with a policy
override, the policy's, beside the rules' own), every kind of unusable record
or line with its first lines, and the time and memory taken. Exit status 1
when a file cannot be loaded (a syntax error names file:line, what was found
and what was expected); warnings alone exit 0, as the server loads such zones.

Options:
  -z, --zone NAME       the zone name (origin) for the files (default: each
                        file's base name, e.g. "school" for school.rpz)
  -f, --format FORMAT   rpz (default), domains, hosts or adblock: as the
                        zone's format key
  -p, --policy POLICY   the zone's policy override (given, disabled, passthru,
                        drop, tcp-only, nxdomain, nodata, cname, stop-page)
  -c, --config PATH     check the zones configured in this file, under their
                        names, formats and policies; with client groups or
                        zones for some groups only, also print per group the
                        zones in force and the next schedule change
      --at TIME         the instant for the groups (ISO 8601 with an offset,
                        e.g. 2026-11-23T10:00:00Z; default: now)
  -h, --help            show this help
`;

export const HEALTHCHECK_HELP = `Usage: stopzone healthcheck [--config PATH]

Asks the admin listener (admin.listen in the same configuration and
environment the server uses) for /readyz and exits 0 when it answers 200,
1 otherwise or after 3 seconds. Meant for container HEALTHCHECKs.
`;

export const PASSWD_HELP = `Usage: stopzone passwd
       stopzone passwd --token

Reads a password for the admin console (asked twice, not shown, on a
terminal; the first line when piped: echo "$PASSWORD" | stopzone passwd) and
prints its scrypt hash, for admin.passwordHash in stopzone.yaml (in single
quotes) or the STOPZONE_ADMIN_PASSWORD_HASH variable. At least 10 characters.

Options:
      --token   print a new random API token and its hash instead, for
                admin.tokens (scripts send it as "Authorization: Bearer TOKEN");
                the token is shown once and stored nowhere
  -h, --help    show this help
`;
