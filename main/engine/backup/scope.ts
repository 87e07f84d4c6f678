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
 * Parse a scope as typed: "table", "tenant:ID", or "keys:1,2,3" (a composite key's parts
 * separated by "/": "keys:1/a,2/b").
 */
export function parseScope(text: string): RestoreScope {
  const t = text.trim();
  if (t === 'table') return { kind: 'table' };
  if (t.startsWith('tenant:')) {
    const tenant = t.slice('tenant:'.length).trim();
    if (!tenant) throw new UserError('--scope tenant:ID needs a tenant id, e.g. tenant:42', 'usage');
    return { kind: 'tenant', tenant };
  }
  if (t.startsWith('keys:')) {
    const keys = t.slice('keys:'.length).split(',').map((k) => k.trim()).filter(Boolean).map((k) => k.split('/'));
    if (keys.length === 0) throw new UserError('--scope keys: needs primary key values, e.g. keys:1,2,3', 'usage');
    return { kind: 'keys', keys };
  }
  throw new UserError(`--scope "${text}" is not a scope; use table, tenant:ID or keys:1,2,3`, 'usage');
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
