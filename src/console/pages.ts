import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ConsoleFile } from './console-context.js';

/** The console's pages by path, each a plain HTML file of the public folder. */
export const PAGES: Readonly<Record<string, string>> = { '/': 'index.html', '/login': 'login.html', '/log': 'log.html', '/why': 'why.html', '/rules': 'rules.html', '/audit': 'audit.html' };

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The chart library (uPlot, MIT), served from the installed package rather than a CDN. */
const VENDOR: Readonly<Record<string, string>> = {
  '/assets/vendor/uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  '/assets/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

/** src/console/public when run from src/, dist/console/public once built (`npm run build` copies it there). */
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * The pages, the files of public/assets/ and the chart library's two files, listed once at start-up; a folder
 * not there yet lists the pages and the library alone.
 */
export function publicFiles(dir = PUBLIC_DIR): ConsoleFile[] {
  const files: ConsoleFile[] = Object.entries(PAGES).map(([url, name]) => ({ url, file: join(dir, name), type: TYPES['.html']! }));
  const assets = join(dir, 'assets');
  for (const name of existsSync(assets) ? readdirSync(assets).sort() : []) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.push({ url: `/assets/${name}`, file: join(assets, name), type });
  }
  const require = createRequire(import.meta.url);
  for (const [url, id] of Object.entries(VENDOR)) files.push({ url, file: require.resolve(id), type: TYPES[extname(url)]! });
  return files;
}

/**
 * Serves `files` at their fixed paths (GET and HEAD), read when asked, 404 while a file is missing. Nothing
 * is looked up from a request's path, so no path can reach outside the listed files. The pages hold no data
 * (their scripts ask the API, which checks the login), so they are served to anyone.
 */
export function servePages(app: FastifyInstance, files: readonly ConsoleFile[]): void {
  for (const { url, file, type } of files) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => {
      const body = await readFile(file).catch(() => null);
      if (body === null) return reply.code(404).type('text/plain; charset=utf-8').send(`not found: ${url} (the console pages are not installed)\n`);
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    });
  }
}
