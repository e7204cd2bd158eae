import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the admin listener serves for the console: its URL path, where it is on disk, its content type. */
export interface ConsoleFile {
  readonly url: string;
  readonly file: string;
  readonly type: string;
}

/**
 * The console's pages by URL path. Each is plain HTML that loads one ES module from /assets/ and the one
 * stylesheet: no inline script or style, so they work under the CSP `default-src 'self'`.
 */
export const CONSOLE_PAGES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/login': 'login.html',
  '/log': 'log.html',
  '/why': 'why.html',
  '/rules': 'rules.html',
  '/audit': 'audit.html',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The chart library (uPlot, MIT), served from the installed package rather than a CDN. */
const VENDOR: Readonly<Record<string, string>> = {
  '/assets/vendor/uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  '/assets/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

/**
 * Where the pages are: src/console/public when run from src/, dist/console/public when built (`npm run build`
 * copies the folder there).
 */
export const CONSOLE_PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * Every file of the console, listed once at start-up, so the server answers a fixed set of paths (nothing
 * under /assets/ is looked up from a request's path, so no path can climb out of the folder).
 */
export function consoleFiles(publicDir = CONSOLE_PUBLIC_DIR): ConsoleFile[] {
  const files: ConsoleFile[] = Object.entries(CONSOLE_PAGES).map(([url, name]) => ({ url, file: join(publicDir, name), type: TYPES['.html']! }));
  for (const name of readdirSync(join(publicDir, 'assets')).sort()) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.push({ url: `/assets/${name}`, file: join(publicDir, 'assets', name), type });
  }
  const require = createRequire(import.meta.url);
  for (const [url, id] of Object.entries(VENDOR)) files.push({ url, file: require.resolve(id), type: TYPES[extname(url)]! });
  return files;
}
