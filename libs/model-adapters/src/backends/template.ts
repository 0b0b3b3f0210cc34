import { ModelInputRefusedError } from '../errors.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\.\d+)*|\.)\s*\}\}/g;

/** The placeholders of a template, e.g. ["text", "features.messagesTotal"] for "{{text}} {{ features.messagesTotal }}". */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function lookup(input: unknown, path: string): unknown {
  if (path === '.') return input;
  let value: unknown = input;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Fills `{{path}}` placeholders from the input (`{{.}}` is the whole input): strings as they are, anything else as
 * JSON. A placeholder the input lacks refuses the input (permanent: it will not appear by retrying).
 */
export function renderTemplate(template: string, input: unknown, what: string): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = lookup(input, path);
    if (value === undefined) throw new ModelInputRefusedError(`${what}: the prompt needs {{${path}}}, which the input does not have`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
