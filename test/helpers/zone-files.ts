import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A folder of small policy zones for a test: `zone(name, body)` writes `<name>.rpz` there with a SOA and NS
 * (TTL 300) and the body's rules, and gives the file's path for a config's `file:`.
 */
export function zoneFolder(prefix: string): (name: string, body: string) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, body) => {
    const file = join(dir, `${name}.rpz`);
    writeFileSync(file, `$TTL 300\n@ SOA ns.${name}. hostmaster.${name}. 1 3600 600 86400 60\n@ NS ns.${name}.\n${body}\n`);
    return file;
  };
}
