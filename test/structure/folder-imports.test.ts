// The folders under src/ form layers: no folder imports one that imports it
// back (directly or round a longer circle), and only cli/ reaches into
// server/, which composes the rest. Run alone: `npx tap test/structure/folder-imports.test.ts`;
// STOPZONE_SRC=/other/checkout/src checks another tree.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const srcRoot = resolve(process.env.STOPZONE_SRC ?? join(dirname(fileURLToPath(import.meta.url)), '../../src'));

/** Each top folder's imports of other top folders, with one importing file and specifier as the witness. */
function folderEdges(root: string): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const from = file.split(sep)[0]!;
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(root, resolve(root, dirname(file), specifier!));
      const to = target.split(sep)[0]!;
      if (to === from || to.startsWith('..') || !target.includes(sep)) continue;
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, `src/${file} imports ${specifier}`);
      edges.set(from, out);
    }
  }
  return edges;
}

/** Strongly connected groups of two or more folders (Tarjan). */
function circles(edges: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (folder: string): void => {
    index.set(folder, index.size);
    low.set(folder, index.get(folder)!);
    stack.push(folder);
    for (const next of edges.get(folder)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(folder, Math.min(low.get(folder)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(folder, Math.min(low.get(folder)!, index.get(next)!));
    }
    if (low.get(folder) !== index.get(folder)) return;
    const group: string[] = [];
    let member: string;
    do group.push((member = stack.pop()!));
    while (member !== folder);
    if (group.length > 1) found.push(group.sort());
  };
  for (const folder of edges.keys()) if (!index.has(folder)) visit(folder);
  return found;
}

const edges = folderEdges(srcRoot);

t.test('no two folders under src/ import each other, directly or round a circle', async (t) => {
  t.ok(edges.size >= 8, `read the imports of ${edges.size} folders in ${srcRoot}`);
  const witnesses = circles(edges).map((group) =>
    group.flatMap((from) => group.filter((to) => edges.get(from)?.has(to)).map((to) => edges.get(from)!.get(to)!)),
  );
  t.same(witnesses, [], 'the imports that close each circle');
});

t.test('only cli/ imports server/, which composes the rest', async (t) => {
  const intoServer = [...edges].filter(([from, out]) => from !== 'cli' && out.has('server')).map(([, out]) => out.get('server'));
  t.same(intoServer, []);
});
