/**
 * Scopes (whole table, one tenant, chosen primary keys): parsed from what the operator types and
 * turned into WHERE clauses over the live table and over the backup copy, values always bound.
 */
import type { RestoreScope } from '../../../shared/backup.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent } from '../ident.js';

/** Bound parameters collected while building one statement. */
export class SqlParams {
  readonly values: unknown[] = [];
  /** Add a value and return its placeholder ($n). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The keys of "keys:..." exactly as typed: keys separated by ",", a composite key's parts by "/",
 * nothing trimmed. A part in double quotes may hold spaces, commas, slashes and "" for a quote;
 * "" alone is the empty string. An unquoted empty part is an error (write "" to mean it).
 */
export function parseKeyList(body: string): string[][] {
  const bad = (why: string) => new UserError(`--scope keys:${body}: ${why}`, 'usage');
  const keys: string[][] = [];
  let parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = '';
    if (body[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= body.length) throw bad('a quoted key is not closed (end it with ")');
        if (body[i] === '"') {
          if (body[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        part += body[i];
        i += 1;
      }
      if (i < body.length && body[i] !== ',' && body[i] !== '/') throw bad(`after the quoted key "${part}" comes ${JSON.stringify(body[i])}; put , or / right after the closing quote`);
    } else {
      while (i < body.length && body[i] !== ',' && body[i] !== '/') {
        if (body[i] === '"') throw bad('a quote inside an unquoted key; quote the whole key, doubling quotes inside it ("a""b")');
        part += body[i];
        i += 1;
      }
      if (part === '') throw bad(`key ${keys.length + 1} has an empty part; write "" for an empty key, or remove the extra , or /`);
    }
    parts.push(part);
    if (i >= body.length) {
      keys.push(parts);
      return keys;
    }
    if (body[i] === ',') {
      keys.push(parts);
      parts = [];
    }
    i += 1;
  }
}

/**
 * Parse a scope as typed: "table", "tenant:ID", or "keys:1,2,3" (a composite key's parts
 * separated by "/": "keys:1/a,2/b"; see parseKeyList for quoting). Keys are taken exactly as typed.
 */
export function parseScope(text: string): RestoreScope {
  if (text.startsWith('keys:')) {
    if (text === 'keys:') throw new UserError('--scope keys: needs primary key values, e.g. keys:1,2,3 (write keys:"" for one empty key)', 'usage');
    return { kind: 'keys', keys: parseKeyList(text.slice('keys:'.length)) };
  }
  const t = text.trim();
  if (t === 'table') return { kind: 'table' };
  if (t.startsWith('tenant:')) {
    const tenant = t.slice('tenant:'.length).trim();
    if (!tenant) throw new UserError('--scope tenant:ID needs a tenant id, e.g. tenant:42', 'usage');
    return { kind: 'tenant', tenant };
  }
  if (t.startsWith('keys:')) throw new UserError(`--scope "${text}": nothing may come before keys: (quote a key with spaces: keys:" x")`, 'usage');
  throw new UserError(`--scope "${text}" is not a scope; use table, tenant:ID or keys:1,2,3`, 'usage');
}

/** A key as the operator would type it back: parts quoted when they need it. */
export function formatKey(key: readonly string[]): string {
  return key.map((p) => (p === '' || /[",/\s]/.test(p) ? `"${p.replaceAll('"', '""')}"` : p)).join('/');
}

/** A scope in words, for messages and tables. */
export function describeScope(scope: RestoreScope): string {
  if (scope.kind === 'table') return 'whole table';
  if (scope.kind === 'tenant') return `tenant ${scope.tenant}`;
  return `${scope.keys.length} chosen key${scope.keys.length === 1 ? '' : 's'}`;
}

/** What a scope predicate needs to know about the two tables. */
export interface ScopeContext {
  scope: RestoreScope;
  live: { schema: string; table: string };
  primaryKey: { name: string; type: string }[];
  /** The live tenant column, when the scope is a tenant. */
  tenantColumn: { name: string; type: string } | null;
  /** Whether the backup has the tenant column (it may predate it). */
  backupHasTenantColumn: boolean;
}

/** Check a scope against the table: key arity and the tenant column. */
export function validateScope(ctx: ScopeContext): void {
  if (ctx.scope.kind === 'keys') {
    const n = ctx.primaryKey.length;
    const bad = ctx.scope.keys.find((k) => k.length !== n);
    if (bad) {
      throw new UserError(`key "${bad.join('/')}" has ${bad.length} part${bad.length === 1 ? '' : 's'}; the primary key (${ctx.primaryKey.map((c) => c.name).join(', ')}) has ${n} (separate parts with "/")`, 'usage');
    }
  }
  if (ctx.scope.kind === 'tenant' && !ctx.tenantColumn) {
    throw new UserError(`${ctx.live.schema}.${ctx.live.table} has no tenant column for --scope tenant:; give --tenant-column or scope by keys`, 'usage');
  }
}

function keysPredicate(alias: string, ctx: ScopeContext, keys: string[][], p: SqlParams): string {
  const cols = ctx.primaryKey.map((c) => `${alias}.${quoteIdent(c.name)}`);
  const arrays = ctx.primaryKey.map((c, i) => `${p.add(keys.map((k) => k[i]))}::${c.type}[]`);
  if (cols.length === 1) return `${cols[0]} = ANY(${arrays[0]})`;
  return `(${cols.join(', ')}) IN (SELECT * FROM unnest(${arrays.join(', ')}))`;
}

/** The scope as a predicate over live rows aliased `alias`. */
export function liveScopeSql(alias: string, ctx: ScopeContext, p: SqlParams): string {
  const s = ctx.scope;
  if (s.kind === 'table') return 'true';
  if (s.kind === 'keys') return keysPredicate(alias, ctx, s.keys, p);
  const tc = ctx.tenantColumn!;
  return `${alias}.${quoteIdent(tc.name)} = ${p.add(s.tenant)}::${tc.type}`;
}

/**
 * The scope as a predicate over backup rows aliased `alias`. A backup older than the tenant
 * column scopes a tenant by the keys the live table gives that tenant.
 */
export function backupScopeSql(alias: string, ctx: ScopeContext, p: SqlParams): string {
  const s = ctx.scope;
  if (s.kind === 'table') return 'true';
  if (s.kind === 'keys') return keysPredicate(alias, ctx, s.keys, p);
  const tc = ctx.tenantColumn!;
  if (ctx.backupHasTenantColumn) return `${alias}.${quoteIdent(tc.name)} = ${p.add(s.tenant)}::${tc.type}`;
  const bk = ctx.primaryKey.map((c) => `${alias}.${quoteIdent(c.name)}`).join(', ');
  const lk = ctx.primaryKey.map((c) => `s_.${quoteIdent(c.name)}`).join(', ');
  return `(${bk}) IN (SELECT ${lk} FROM ${qualified(ctx.live.schema, ctx.live.table)} s_ WHERE s_.${quoteIdent(tc.name)} = ${p.add(s.tenant)}::${tc.type})`;
}

/** Join condition on the primary key between two aliases. */
export function keyJoinSql(a: string, b: string, primaryKey: readonly { name: string }[]): string {
  return primaryKey.map((c) => `${a}.${quoteIdent(c.name)} = ${b}.${quoteIdent(c.name)}`).join(' AND ');
}

/**
 * Check chosen keys against the table and the backup before anything changes: each part must
 * parse as its key column's type, and each key must have a row in the backup (restoring a key the
 * backup lacks would restore nothing and still "verify"). One line naming --scope.
 */
export async function checkScopeKeys(
  query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  ctx: ScopeContext, backupRel: string,
): Promise<void> {
  if (ctx.scope.kind !== 'keys') return;
  const keys = ctx.scope.keys;
  for (const [i, col] of ctx.primaryKey.entries()) {
    try {
      await query(`SELECT CAST($1::text[] AS ${col.type}[]) AS v`, [keys.map((k) => k[i])]);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (!e.code || !/^22/.test(e.code)) throw err;
      throw new UserError(`--scope keys: a key is not a valid ${col.type} for the key column ${col.name} (${e.message}); keys are taken exactly as typed`, 'usage');
    }
  }
  const p = new SqlParams();
  const cols = ctx.primaryKey.map((c) => `k.${quoteIdent(c.name)}`);
  const arrays = ctx.primaryKey.map((c) => `${p.add(keys.map((k) => k[ctx.primaryKey.indexOf(c)]))}::${c.type}[]`);
  const names = ctx.primaryKey.map((c) => quoteIdent(c.name)).join(', ');
  const { rows } = await query(
    `SELECT ord::int AS ord FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS k(${names}, ord)
      WHERE NOT EXISTS (SELECT 1 FROM ${backupRel} b WHERE ${ctx.primaryKey.map((c, i) => `b.${quoteIdent(c.name)} IS NOT DISTINCT FROM ${cols[i]}`).join(' AND ')})
      ORDER BY ord`,
    p.values,
  );
  if (rows.length) {
    const missing = rows.slice(0, 5).map((r) => formatKey(keys[Number(r.ord) - 1]!));
    throw new UserError(`--scope keys: ${rows.length} of ${keys.length} key${keys.length === 1 ? '' : 's'} have no row in the backup: ${missing.join(', ')}${rows.length > 5 ? ', ...' : ''}; check the keys (they are taken exactly as typed) or the backup id`, 'usage');
  }
}
