/**
 * Small SQL helpers of the lint rewrites: names the rules compose into the statements they add
 * (quoted by the escaping functions), the named placeholder, and the re-parse every rewrite goes
 * through before it is shown. The statements a rewrite keeps or changes are deparsed from the
 * parse tree (lint-deparse.ts), never cut out of the source text.
 */
import { parseSync } from 'libpg-query';
import { quoteIdent } from '../ident.js';

/** A relation as the parser gives it. */
export type RangeVar = { schemaname?: string; relname?: string; location?: number };

/** A placeholder the operator must fill in, named; a quoted identifier, so the rewrite still parses. */
export const placeholder = (what: string) => quoteIdent(`<${what}>`);

/** Whether a rewrite's SQL parses (comments and placeholders included). */
export function parsesAsSql(sql: string): boolean {
  try {
    parseSync(sql);
    return true;
  } catch {
    return false;
  }
}

/** "schema"."table" of a RangeVar, quoted. */
export function tableSql(r: unknown): string {
  const rv = r as RangeVar;
  return rv.schemaname ? `${quoteIdent(rv.schemaname)}.${quoteIdent(rv.relname ?? '')}` : quoteIdent(rv.relname ?? '');
}

/** `'"schema"."seq"'`: a regclass literal of a quoted name. */
export const regclassLiteral = (quoted: string) => `'${quoted.replace(/'/g, "''")}'`;
