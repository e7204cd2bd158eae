import { ConfigSchema } from './schema.js';

/** One documented config key. */
export interface KeyDoc {
  readonly key: string;
  readonly defaultValue: unknown;
  readonly description: string;
}

interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
}

/** Every leaf key of the config with its default and description, in schema order: the source of --help and docs. */
export function describeConfigKeys(): KeyDoc[] {
  const docs: KeyDoc[] = [];
  const walk = (node: SchemaNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      if (child.type === 'object' && child.properties !== undefined) walk(child, key);
      else docs.push({ key, defaultValue: child.default, description: child.description ?? '' });
    }
  };
  walk(ConfigSchema as unknown as SchemaNode, '');
  return docs;
}

/** The JSON Schema published for editors, as text. */
export function configJsonSchema(): string {
  return `${JSON.stringify(ConfigSchema, null, 2)}\n`;
}
