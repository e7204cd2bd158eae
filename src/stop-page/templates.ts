import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCKED_PAGE } from './built-in-pages.js';
import { chooseLanguage } from './language.js';
import { parseTemplate, type Template } from './template.js';

/** The blocked-page templates: English built in, plus the operator's `<lang>.html` and `default.html`. */
export interface PageTemplates {
  /** The template and its language for an Accept-Language header. */
  choose(acceptLanguage: string | undefined): { readonly template: Template; readonly lang: string };
  readonly languages: readonly string[];
}

const FILE = /^([a-z]{1,8}(?:-[a-z0-9]{1,8})*|default)\.html$/;
const MAX_BYTES = 256 * 1024;

/**
 * Reads `dir` once, at start: every `<lang>.html` (a language tag such as
 * "de" or "pt-br") and `default.html`. A browser gets the best match for its
 * Accept-Language among those languages and the built-in English; when none
 * matches, default.html, or the built-in English page when there is none.
 * Errors name the file and line (start-up fails, never a request).
 */
export function loadTemplates(dir: string | undefined): PageTemplates {
  const byLang = new Map<string, Template>();
  if (dir !== undefined) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      throw new Error(`stopPage.templatesDir "${dir}": cannot read the directory (${(error as Error).message}); expected a directory of <lang>.html files`);
    }
    for (const name of names.sort()) {
      const match = FILE.exec(name.toLowerCase());
      if (match === null) continue;
      const file = join(dir, name);
      const size = statSync(file).size;
      if (size > MAX_BYTES) throw new Error(`${file}: ${size} bytes; a stop page template may have at most ${MAX_BYTES}`);
      byLang.set(match[1]!, parseTemplate(readFileSync(file, 'utf8'), file));
    }
  }
  const fallback = byLang.get('default');
  byLang.delete('default');
  if (!byLang.has('en')) byLang.set('en', BLOCKED_PAGE);
  const languages = [...byLang.keys()];
  return {
    languages,
    choose(acceptLanguage) {
      const lang = chooseLanguage(acceptLanguage, languages);
      if (lang !== null) return { template: byLang.get(lang)!, lang };
      return fallback === undefined ? { template: BLOCKED_PAGE, lang: 'en' } : { template: fallback, lang: '' };
    },
  };
}
