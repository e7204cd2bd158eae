import { readFileSync } from 'node:fs';
import t from 'tap';
import { configJsonSchema, configMarkdown } from '../../src/config/describe-schema.js';
import { serveHelp } from '../../src/cli/help.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

t.test('the published JSON Schema and the configuration reference match the schema (run `npm run docs`)', async (t) => {
  t.equal(read('stopzone.schema.json'), configJsonSchema(), 'stopzone.schema.json');
  t.equal(read('docs/configuration.md'), configMarkdown(), 'docs/configuration.md');
});

t.test('`stopzone serve --help` names every key and every environment override', async (t) => {
  const help = serveHelp();
  for (const key of ['listen.port', 'upstreams', 'upstream.deadlineMs', 'cache.serveStale', 'access.allow', 'log.level']) t.match(help, key);
  for (const variable of ['STOPZONE_LISTEN_PORT', 'STOPZONE_LISTEN_ADDRESSES', 'STOPZONE_UPSTREAMS', 'STOPZONE_LOG_LEVEL']) t.match(help, variable);
});
