// The benchmarks are not run by the suite (they are load), but they must not rot: every TypeScript file under
// bench/ is in the program `npm run typecheck` (tsc --noEmit, run by `npm test`) checks, and the package.json
// scripts that run benchmarks name files that exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

t.test('tsc --noEmit checks every TypeScript file under bench/', async (t) => {
  const configPath = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  t.equal(error, undefined, 'tsconfig.json parses');
  const checked = new Set(ts.parseJsonConfigFileContent(config, ts.sys, root).fileNames.map((file) => relative(root, resolve(file))));
  const benchFiles = readdirSync(join(root, 'bench'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.startsWith('out'))
    .map((file) => join('bench', file));
  t.ok(benchFiles.includes(join('bench', 'reload-under-load.ts')), 'the listing found the benchmarks');
  t.same(benchFiles.filter((file) => !checked.has(file)), [], 'no bench file is left out of the type check');
});

t.test('the benchmark scripts of package.json name files that exist', async (t) => {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const benchScripts = Object.entries(scripts).filter(([name]) => name === 'bench' || name.startsWith('bench:'));
  t.same(benchScripts.map(([name]) => name).sort(), ['bench', 'bench:compass', 'bench:reload'], 'npm run bench, npm run bench:compass and npm run bench:reload');
  for (const [name, command] of benchScripts) {
    const files = command.split(/\s+/).filter((word) => word.startsWith('bench/'));
    t.equal(files.length, 1, `${name} runs one file under bench/`);
    t.ok(existsSync(join(root, files[0]!)), `${name}: ${files[0]} exists`);
  }
});
