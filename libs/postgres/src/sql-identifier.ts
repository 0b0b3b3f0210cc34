// Schema names are configurable (tests isolate themselves in a schema of their own), and identifiers cannot be
// bound as query parameters, so they are the one thing we splice into SQL text. Only names matching a strict
// pattern get through, and we quote them anyway so a reserved word (e.g. "user") still works.
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
// PostgreSQL silently truncates longer names, which could make two configured names collide.
const MAX_IDENTIFIER_LENGTH = 63;

/** Returns `name` double-quoted for SQL, or throws if it is not a plain lower-case identifier. */
export function quoteIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_LENGTH) {
    throw new Error(`Invalid ${what} ${JSON.stringify(name)}: expected /^[a-z_][a-z0-9_]*$/, at most 63 characters`);
  }
  return `"${name}"`;
}
