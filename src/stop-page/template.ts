import { escapeHtml } from './escape.js';

/** The placeholders a page template may use; every value is HTML-escaped when filled in. */
export const PLACEHOLDERS = ['title', 'reason', 'host', 'list', 'reference', 'referenceUrl', 'contact', 'contactUrl', 'time', 'ref', 'status', 'lang', 'group'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PageValues = Readonly<Record<Placeholder, string>>;

type Part = string | { readonly name: Placeholder } | { readonly name: Placeholder; readonly when: boolean; readonly parts: readonly Part[] };

/** A parsed template: `{{name}}`, `{{#name}}shown when name is not empty{{/name}}`, `{{^name}}shown when it is{{/name}}`. */
export interface Template {
  readonly source: string;
  readonly parts: readonly Part[];
}

const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z]+)\s*\}\}/g;

/** Parses a template; throws an error naming `source`, the line and what was expected. */
export function parseTemplate(text: string, source: string): Template {
  const root: Part[] = [];
  const stack: Array<{ name: Placeholder; when: boolean; parts: Part[]; line: number }> = [];
  let parts = root;
  let last = 0;
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(TAG)) {
    const [tag, sigil, name] = m as unknown as [string, string, string];
    const where = `${source}:${lineAt(m.index)}`;
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(`${where}: unknown placeholder "${tag}"; expected one of ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
    }
    if (m.index > last) parts.push(text.slice(last, m.index));
    last = m.index + tag.length;
    const placeholder = name as Placeholder;
    if (sigil === '') parts.push({ name: placeholder });
    else if (sigil === '/') {
      const open = stack.pop();
      if (open?.name !== placeholder) throw new Error(`${where}: "${tag}" closes ${open === undefined ? 'nothing' : `{{#${open.name}}} of line ${open.line}`}`);
      parts = stack.at(-1)?.parts ?? root;
      parts.push({ name: open.name, when: open.when, parts: open.parts });
    } else {
      stack.push({ name: placeholder, when: sigil === '#', parts: [], line: lineAt(m.index) });
      parts = stack.at(-1)!.parts;
    }
  }
  const open = stack.pop();
  if (open !== undefined) throw new Error(`${source}:${open.line}: {{${open.when ? '#' : '^'}${open.name}}} is never closed with {{/${open.name}}}`);
  if (last < text.length) parts.push(text.slice(last));
  return { source, parts: root };
}

/** Fills a template in; each value is HTML-escaped, so a template cannot be made to carry markup from a request. */
export function fillTemplate(template: Template, values: PageValues): string {
  const out: string[] = [];
  const walk = (parts: readonly Part[]): void => {
    for (const part of parts) {
      if (typeof part === 'string') out.push(part);
      else if (!('when' in part)) out.push(escapeHtml(values[part.name]));
      else if ((values[part.name] !== '') === part.when) walk(part.parts);
    }
  };
  walk(template.parts);
  return out.join('');
}
