/**
 * Tenant values compared in the tenant key's type: a text column holding upper-case uuids is the
 * same tenant as the uuid key, a text column against a bigint key compares as bigint, and a value
 * that does not cast is no tenant at all (reported with the orphans), never a query error.
 */
import pg from 'pg';
import type { TableInfo } from '../../../shared/model.js';
import { quoteIdent } from '../ident.js';

const TEXT_TYPES = /^(text|character varying(\(\d+\))?|varchar(\(\d+\))?|name|citext)$/;
const INT_DIGITS: Record<string, number> = { smallint: 4, integer: 9, bigint: 18 };

/** Whether values of `a` and `b` compare correctly as they are (the same type, or both text-like). */
export function sameType(a: string, b: string): boolean {
  return a === b || (TEXT_TYPES.test(a) && TEXT_TYPES.test(b));
}

/**
 * SQL that is true when the text `expr` is a valid input of `type`: pg_input_is_valid on
 * PostgreSQL 16+, a pattern for uuid and integer types before that (integers up to 18 digits).
 * Null when there is no safe test (the cast is then left to the server).
 */
export function castableSql(expr: string, type: string, serverVersionNum: number): string | null {
  if (serverVersionNum >= 160000) return `pg_input_is_valid(${expr}, ${pg.escapeLiteral(type)})`;
  if (type === 'uuid') return `${expr} ~* '^\\{?[0-9a-f]{4}(-?[0-9a-f]{4}){7}\\}?$'`;
  const digits = INT_DIGITS[type];
  if (digits) return `${expr} ~ '^\\s*[+-]?[0-9]{1,${digits}}\\s*$'`;
  return null;
}

/**
 * `expr` (a column of type `colType`) as a value of the key's type: unchanged when the types
 * already compare, else cast through text, NULL where it does not cast.
 */
export function asKeyType(expr: string, colType: string, keyType: string, serverVersionNum: number): string {
  if (sameType(colType, keyType)) return expr;
  if (TEXT_TYPES.test(keyType)) return `${expr}::text`;
  const test = castableSql(`${expr}::text`, keyType, serverVersionNum);
  return test ? `(CASE WHEN ${test} THEN ${expr}::text::${keyType} END)` : `${expr}::text::${keyType}`;
}

/** What the comparisons of one run need to know: the key's type and the server version. */
export interface KeyCompare {
  keyType: string;
  serverVersionNum: number;
}

/** The condition "child row c's tenant is not parent row p's" (or `parentAlias`), both compared in the key's type. */
export function tenantsDiffer(child: TableInfo, parent: TableInfo, childCol: string, parentCol: string, cmp?: KeyCompare, parentAlias = 'p'): string {
  const c = `c.${quoteIdent(childCol)}`;
  const p = `${parentAlias}.${quoteIdent(parentCol)}`;
  const ct = child.tenantColumn?.type ?? 'text';
  const pt = parent.tenantColumn?.type ?? 'text';
  if (!cmp || (sameType(ct, cmp.keyType) && sameType(pt, cmp.keyType))) return `${c} <> ${p}`;
  return `${asKeyType(c, ct, cmp.keyType, cmp.serverVersionNum)} <> ${asKeyType(p, pt, cmp.keyType, cmp.serverVersionNum)}`;
}

