/**
 * Identifier quoting: every identifier the engine puts into SQL goes through these functions.
 * Values never do: they are bound as parameters.
 */
import pg from 'pg';

/** Quote one identifier with the driver's escaping ("a""b"). */
export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

/** Quote a schema-qualified name: "schema"."table". */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** Quote a list of column names, comma-separated. */
export function quoteList(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(', ');
}

/** Display form of a table: schema.table, unquoted, for humans and JSON. */
export function displayName(schema: string, table: string): string {
  return `${schema}.${table}`;
}

/**
 * Parse "schema.table" (or "table", defaulting to `defaultSchema`) as the operator types it.
 * Double-quoted parts keep dots and case: "My Schema"."a.b".
 */
export function parseQualifiedName(text: string, defaultSchema = 'public'): { schema: string; table: string } {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= s.length) throw new Error(`unterminated quote in "${text}"`);
        if (s[j] === '"') {
          if (s[j + 1] === '"') { out += '"'; j += 2; continue; }
          break;
        }
        out += s[j];
        j += 1;
      }
      parts.push(out);
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.') j += 1;
      parts.push(s.slice(i, j));
      i = j;
    }
    if (i < s.length) {
      if (s[i] !== '.') throw new Error(`expected "." in "${text}"`);
      i += 1;
      if (i === s.length) throw new Error(`"${text}" ends with "."; write schema.table`);
    }
  }
  if (parts.length === 1 && parts[0]) return { schema: defaultSchema, table: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], table: parts[1] };
  throw new Error(`"${text}" is not a table name; write schema.table`);
}
