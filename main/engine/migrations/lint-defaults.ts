/**
 * Is a column default safe to add without rewriting the table? Since PostgreSQL 11 a default that
 * is not volatile is evaluated once and stored in the catalog; a volatile one is evaluated per row,
 * rewriting the table under ACCESS EXCLUSIVE. The lint only trusts what it can prove: constants,
 * casts, operators, and functions on an allow-list of built-ins that are IMMUTABLE or STABLE in
 * pg_proc. Any other function (user-defined, an extension's, or unknown) is treated as volatile.
 */
import { stringList } from './parse.js';

/** Built-in functions that are IMMUTABLE or STABLE (pg_proc.provolatile 'i' or 's'). */
export const NON_VOLATILE_FUNCTIONS = new Set([
  // time (STABLE: evaluated once per statement)
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp',
  'date_trunc', 'date_part', 'extract', 'make_date', 'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval', 'to_timestamp', 'to_date', 'timezone', 'age',
  // text
  'lower', 'upper', 'initcap', 'concat', 'concat_ws', 'substr', 'substring', 'left', 'right', 'length', 'char_length', 'btrim', 'ltrim', 'rtrim', 'trim', 'replace',
  'lpad', 'rpad', 'repeat', 'md5', 'sha256', 'sha224', 'sha384', 'sha512', 'encode', 'decode', 'format', 'to_char', 'to_number', 'split_part', 'translate', 'chr', 'ascii', 'quote_ident', 'quote_literal',
  // numbers
  'abs', 'round', 'trunc', 'floor', 'ceil', 'ceiling', 'greatest', 'least', 'mod', 'power', 'sqrt',
  // json, arrays, ranges
  'to_json', 'to_jsonb', 'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'array_fill', 'array_length', 'cardinality',
  'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange',
  // session (STABLE)
  'current_user', 'session_user', 'current_schema', 'current_setting', 'current_database', 'inet_client_addr',
]);

/** Known VOLATILE built-ins, named in messages (everything not allowed is volatile anyway). */
export const VOLATILE_FUNCTIONS = new Set([
  'random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'clock_timestamp', 'timeofday',
  'nextval', 'random_normal', 'txid_current', 'pg_current_xact_id', 'setseed',
]);

/** The first function in a default expression that is not proven non-volatile, or null when the whole expression is safe. */
export function unsafeFunctionIn(expr: unknown): { name: string; known: boolean } | null {
  let hit: { name: string; known: boolean } | null = null;
  const visit = (node: unknown): void => {
    if (hit || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'FuncCall') {
        const name = stringList((v as { funcname?: unknown }).funcname).filter((p) => p !== 'pg_catalog');
        const bare = name.length === 1 ? name[0]! : name.join('.');
        if (!NON_VOLATILE_FUNCTIONS.has(bare)) {
          hit = { name: bare, known: VOLATILE_FUNCTIONS.has(bare) };
          return;
        }
      }
      if (k === 'SubLink') {
        hit = { name: 'a subquery', known: false };
        return;
      }
      visit(v);
    }
  };
  visit(expr);
  return hit;
}
