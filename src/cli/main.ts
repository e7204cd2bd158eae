#!/usr/bin/env -S node --no-parallel-scavenge
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.js';
import { configJsonSchema, configMarkdown } from '../config/describe-schema.js';
import { loadConfig } from '../config/load-config.js';
import { check, CheckUsageError, checkTargets, type CheckTarget } from './check.js';
import { groupLines, parseCheckInstant } from './check-groups.js';
import { CHECK_HELP, HEALTHCHECK_HELP, MAIN_HELP, PASSWD_HELP, serveHelp } from './help.js';
import { passwd } from './passwd.js';
import { healthcheck } from './healthcheck.js';
import { report } from './report.js';
import { serve } from './serve.js';

/** The command line: the only place (with config/environment.ts) that reads argv and the environment. */
async function main(argv: string[]): Promise<number> {
  // report has its own options (report.ts); main's strict parse would refuse them.
  if (argv[0] === 'report') return report(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      markdown: { type: 'boolean' },
      zone: { type: 'string', short: 'z' },
      format: { type: 'string', short: 'f' },
      policy: { type: 'string', short: 'p' },
      at: { type: 'string' },
      token: { type: 'boolean' },
    },
  });
  const [command] = positionals;
  if (values.version === true) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  switch (command) {
    case 'serve':
      if (values.help === true) return print(serveHelp());
      await serve(values.config, process.env);
      return 0;
    case 'check': {
      if (values.help === true) return print(CHECK_HELP);
      let targets: CheckTarget[];
      let at = Date.now();
      try {
        if (values.at !== undefined) at = parseCheckInstant(values.at);
        targets = checkTargets(positionals.slice(1), { zone: values.zone, format: values.format, policy: values.policy }, values.config, process.env);
      } catch (error) {
        if (!(error instanceof CheckUsageError)) throw error;
        process.stderr.write(`stopzone check: ${error.message}\n\n${CHECK_HELP}`);
        return 2;
      }
      const out = (line: string): void => void process.stdout.write(`${line}\n`);
      // The groups are a matter of the config alone: shown even when no zone is a local file.
      const groups = positionals.length === 1 && values.config !== undefined ? groupLines(loadConfig(values.config, process.env), at) : [];
      if (targets.length === 0 && groups.length === 0) return print(CHECK_HELP, 2);
      const status = await check(targets, out);
      groups.forEach(out);
      return status;
    }
    case 'healthcheck':
      if (values.help === true) return print(HEALTHCHECK_HELP);
      return healthcheck(values.config, process.env, (line) => process.stdout.write(`${line}\n`));
    case 'passwd':
      if (values.help === true) return print(PASSWD_HELP);
      return passwd(values.token === true, { input: process.stdin, output: process.stdout, errors: process.stderr });
    case 'schema':
      return print(values.markdown === true ? configMarkdown() : configJsonSchema());
    case undefined:
      return print(MAIN_HELP, values.help === true ? 0 : 2);
    default:
      process.stderr.write(`stopzone: unknown command "${command}"\n\n${MAIN_HELP}`);
      return 2;
  }
}

function print(text: string, code = 0): number {
  process.stdout.write(text);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof ConfigError ? `stopzone: bad configuration: ${error.message}` : `stopzone: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`${message}\n`);
    process.exitCode = error instanceof ConfigError ? 78 : 1;
  },
);
