/**
 * Evidence and remedy SQL that several checks share: runnable text with every identifier quoted.
 * Each check's own evidence and remedy live in its module (defs/). The engine never executes
 * remedies; the operator reviews and runs them (or a runbook step does).
 */
import pg from 'pg';
import type { ForeignKey, TableInfo } from '../../../shared/model.js';
import { qualified, quoteIdent } from '../ident.js';

const q = quoteIdent;

/** Columns that identify a row in samples: the primary key, else ctid. */
export function sampleKey(t: TableInfo): string[] {
  return t.primaryKey && t.primaryKey.length > 0 ? t.primaryKey : ['ctid'];
}

/** SELECT list of the sample key as text, aliased by name, prefixed with a table alias. */
export function sampleSelect(t: TableInfo, alias: string, prefix = ''): string {
  return sampleKey(t).map((c) => `${alias}.${c === 'ctid' ? 'ctid' : q(c)}::text AS ${q(prefix + c)}`).join(', ');
}

/** A name for a new constraint or index: base_suffix, trimmed to 63 bytes. */
export function derivedName(base: string, suffix: string): string {
  let name = `${base}_${suffix}`;
  while (Buffer.byteLength(name) > 63) name = name.slice(0, -1);
  return name;
}

/** The join condition of an FK between aliases c (child) and p (parent; or `parentAlias`). */
export function fkJoin(fk: ForeignKey, parentAlias = 'p'): string {
  return fk.columns.map((c, i) => `c.${q(c)} = ${parentAlias}.${q(fk.refColumns[i]!)}`).join(' AND ');
}

/** Remedy: enable / force RLS. */
export function rlsRemedy(t: TableInfo, what: 'ENABLE' | 'FORCE'): string {
  return `ALTER TABLE ${qualified(t.schema, t.table)} ${what} ROW LEVEL SECURITY;`;
}

/** Remedy: a tenant policy reading the tenant setting. */
export function tenantPolicyRemedy(t: TableInfo, col: string, setting: string, keyType: string): string {
  const name = q(derivedName(`${t.table}`, 'tenant_isolation'));
  const expr = `${q(col)} = current_setting(${pg.escapeLiteral(setting)}, true)::${keyType}`;
  return `CREATE POLICY ${name} ON ${qualified(t.schema, t.table)} USING (${expr}) WITH CHECK (${expr});`;
}

/** Evidence for catalog findings: the catalog query an operator can run to see the same fact. */
export function columnEvidence(t: TableInfo, col: string): string {
  return `SELECT column_name, is_nullable, column_default FROM information_schema.columns\n` +
    `WHERE table_schema = ${pg.escapeLiteral(t.schema)} AND table_name = ${pg.escapeLiteral(t.table)} AND column_name = ${pg.escapeLiteral(col)};`;
}

/** Evidence: the table's constraints and indexes. */
export function indexEvidence(t: TableInfo): string {
  return `SELECT indexrelid::regclass, pg_get_indexdef(indexrelid), indisvalid FROM pg_index WHERE indrelid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}

/** Evidence: the table's RLS flags and policies. */
export function rlsEvidence(t: TableInfo): string {
  return `SELECT relrowsecurity, relforcerowsecurity, (SELECT array_agg(polname) FROM pg_policy WHERE polrelid = c.oid)\n` +
    `FROM pg_class c WHERE c.oid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}

/** Evidence: the table's policies with their expressions. */
export function policyEvidence(t: TableInfo): string {
  return `SELECT polname, pg_get_expr(polqual, polrelid) AS using, pg_get_expr(polwithcheck, polrelid) AS with_check\n` +
    `FROM pg_policy WHERE polrelid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}

/** Evidence: the table's foreign keys. */
export function fkEvidence(t: TableInfo): string {
  return `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}

/** Remedy: a policy on a table scoped through a parent, through its first step (the parent's own policy applies inside). */
export function throughParentPolicy(t: TableInfo): string {
  const first = t.tenantPath![0]!;
  const on = first.columns.map((c, i) => `p.${q(first.refColumns[i]!)} = ${q(t.table)}.${q(c)}`).join(' AND ');
  return `CREATE POLICY ${q(derivedName(t.table, 'through_parent'))} ON ${qualified(t.schema, t.table)} ` +
    `USING (EXISTS (SELECT FROM ${qualified(first.refSchema, first.refTable)} p WHERE ${on}));  -- the parent's own policy applies inside`;
}
