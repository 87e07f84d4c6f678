/** Identifier quoting for SQL the renderer shows (never runs): "name" with quotes doubled. */

/** Quote an identifier the way PostgreSQL's quote_ident does for any name. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
