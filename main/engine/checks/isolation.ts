/**
 * The isolation probe: as the application role, with the tenant setting set to one tenant (or, on
 * Supabase, as a member: role authenticated with request.jwt.claims naming a real member), count
 * the rows of other tenants that are still visible, in every tenant table and in the partitions,
 * views and materialized views of tenant tables that the role may read. Runs in a read-only
 * transaction that is always rolled back; SET LOCAL ROLE and set_config(..., true) end with it.
 */
import pg from 'pg';
import type { SampleRow, Skipped } from '../../../shared/findings.js';
import type { TableInfo } from '../../../shared/model.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { SAMPLE_SIZE } from './scan.js';
import { asKeyType, type KeyCompare } from './tenant-values.js';

/** A member to impersonate (Supabase): the JWT subject, and every tenant whose rows are theirs to see. */
export interface ProbeMember {
  /** The JWT subject (auth.users.id); empty for anon, who is signed in as nobody. */
  userId: string;
  /** The JWT role claim and the role assumed (authenticated). */
  claimRole: string;
  /** The tenants the member belongs to (the key's text form): their rows are not a leak. */
  tenants: string[];
  /** Where membership was read, for messages: schema.table. */
  membership: string;
}

/** What the probe needs: the role, the setting it reads, and which tenant (or member) to pretend to be. */
export interface ProbeOptions {
  role: string;
  /** The tenant setting; absent in a member probe that sets none. */
  setting?: string;
  tenant: string;
  /** Compare tenant values in the key's type (a text column of upper-case uuids is the same tenant). */
  cmp?: KeyCompare;
  member?: ProbeMember;
}

/** One relation the probe reads: a tenant table, or a partition, view or materialized view of one. */
export interface ProbeTarget {
  schema: string;
  name: string;
  kind: 'table' | 'partition' | 'view' | 'materialized view';
  /** The tenant table it shows rows of. */
  base: TableInfo;
  /** Its column holding the tenant, and that column's type. */
  column: string;
  columnType: string;
  /** Columns that identify a row in samples (primary key, ctid, or none for a view without them). */
  sampleKey: string[];
}

/** What the probe saw in one relation: rows of other tenants (or none) that are visible. */
export interface ProbeHit {
  target: ProbeTarget;
  count: number;
  sample: SampleRow[];
}

/** A tenant table as a probe target. */
export function tableTarget(t: TableInfo): ProbeTarget {
  return {
    schema: t.schema, name: t.table, kind: 'table', base: t, column: t.tenantColumn!.name, columnType: t.tenantColumn!.type,
    sampleKey: t.primaryKey && t.primaryKey.length > 0 ? t.primaryKey : ['ctid'],
  };
}

// Partitions (any level) and views/materialized views (also over other views) of the tenant tables
// $1, readable by the role $2, with their column names.
const RELATIONS_SQL = `
WITH RECURSIVE tree AS (
  SELECT i.inhparent AS root, i.inhrelid AS rel FROM pg_catalog.pg_inherits i WHERE i.inhparent = ANY($1::oid[])
  UNION ALL
  SELECT t.root, i.inhrelid FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent = t.rel
),
deps AS (
  SELECT DISTINCT r.ev_class AS view, d.refobjid AS base
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.refobjid = ANY($1::oid[]) AND r.ev_class <> d.refobjid
  UNION
  SELECT r.ev_class, deps.base
  FROM deps JOIN pg_catalog.pg_depend d ON d.refobjid = deps.view AND d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid AND r.ev_class <> deps.view
),
rels AS (
  SELECT t.root AS base, t.rel FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.rel AND c.relispartition AND c.relkind = 'r'
  UNION
  SELECT d.base, d.view FROM deps d JOIN pg_catalog.pg_class c ON c.oid = d.view AND c.relkind IN ('v', 'm')
)
SELECT DISTINCT ON (c.oid) r.base::int8 AS base, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns
FROM rels r JOIN pg_catalog.pg_class c ON c.oid = r.rel JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND pg_catalog.has_any_column_privilege($2::text, c.oid, 'SELECT')
ORDER BY c.oid, r.base`;

/**
 * The partitions, views and materialized views of `tables` that `role` may read, as probe targets.
 * A view without the base table's tenant column cannot be compared: listed as not probed.
 */
export async function relationTargets(session: Session, tables: TableInfo[], role: string): Promise<{ targets: ProbeTarget[]; skipped: Skipped[] }> {
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const { rows } = await session.query<{ base: string; schema: string; name: string; kind: string; columns: string[] }>(RELATIONS_SQL, [[...byOid.keys()], role]);
  const targets: ProbeTarget[] = [];
  const skipped: Skipped[] = [];
  const kinds = { r: 'partition', v: 'view', m: 'materialized view' } as const;
  for (const r of rows.sort((a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name))) {
    const base = byOid.get(Number(r.base))!;
    const kind = kinds[r.kind as keyof typeof kinds];
    const col = base.tenantColumn!;
    if (!r.columns.includes(col.name)) {
      skipped.push({ schema: r.schema, table: r.name, reason: `isolation probe: ${kind} of ${base.schema}.${base.table} without its ${col.name} column; not probed (what it shows cannot be told apart by tenant)` });
      continue;
    }
    const pk = base.primaryKey && base.primaryKey.length > 0 && base.primaryKey.every((k) => r.columns.includes(k)) ? base.primaryKey : null;
    targets.push({ schema: r.schema, name: r.name, kind, base, column: col.name, columnType: col.type, sampleKey: pk ?? (kind === 'view' ? [] : ['ctid']) });
  }
  return { targets, skipped };
}

/** The statements that set up who the probe is, after SET LOCAL ROLE (with literals, for evidence). */
export function impersonation(opts: ProbeOptions): { sql: string; params: string[] }[] {
  const out: { sql: string; params: string[] }[] = [];
  if (opts.member) {
    const m = opts.member;
    const claims = JSON.stringify(m.userId ? { sub: m.userId, role: m.claimRole } : { role: m.claimRole });
    // request.jwt.claims is what auth.uid() reads today; request.jwt.claim.sub what older projects read.
    out.push(m.userId
      ? { sql: 'SELECT set_config($1, $2, true), set_config($3, $4, true), set_config($5, $6, true)', params: ['request.jwt.claims', claims, 'request.jwt.claim.sub', m.userId, 'request.jwt.claim.role', m.claimRole] }
      : { sql: 'SELECT set_config($1, $2, true), set_config($3, $4, true)', params: ['request.jwt.claims', claims, 'request.jwt.claim.role', m.claimRole] });
  }
  if (opts.setting) out.push({ sql: 'SELECT set_config($1, $2, true)', params: [opts.setting, opts.tenant] });
  return out;
}

/** Probe every target; returns what was visible where it was not zero, and relations the role could not read. */
export async function probeIsolation(
  session: Session, targets: ProbeTarget[], opts: ProbeOptions, onTarget?: (t: ProbeTarget) => void,
): Promise<{ hits: ProbeHit[]; skipped: Skipped[] }> {
  const hits: ProbeHit[] = [];
  const skipped: Skipped[] = [];
  await session.query('BEGIN READ ONLY');
  try {
    try {
      await session.query(`SET LOCAL ROLE ${quoteIdent(opts.role)}`);
    } catch (err) {
      throw new UserError(`cannot SET ROLE ${opts.role} for the isolation probe: ${(err as Error).message}; check --rls-role, and that ${session.fingerprint.user} is a member of it`, 'permission');
    }
    for (const step of impersonation(opts)) {
      try {
        await session.query(step.sql, step.params);
      } catch (err) {
        throw new UserError(`cannot set ${step.params[0]}: ${(err as Error).message}; --rls-setting must look like app.tenant_id`, 'usage');
      }
    }
    for (const t of targets) {
      onTarget?.(t);
      await session.query('SAVEPOINT probe');
      try {
        const keys = t.sampleKey.map((k) => `c.${k === 'ctid' ? 'ctid' : quoteIdent(k)}::text AS ${quoteIdent(k)}`);
        const { rows } = await session.query<Record<string, string | null> & { __total: string }>(
          `SELECT ${[...keys, `c.${quoteIdent(t.column)}::text AS ${quoteIdent(t.column)}`].join(', ')}, count(*) OVER () AS __total ` +
            `FROM ${qualified(t.schema, t.name)} c WHERE ${otherTenant(t, '$1', opts)} LIMIT ${SAMPLE_SIZE}`,
          [opts.member ? opts.member.tenants : opts.tenant],
        );
        await session.query('RELEASE SAVEPOINT probe');
        const count = rows[0] ? Number(rows[0].__total) : 0;
        if (count > 0) hits.push({ target: t, count, sample: rows.map(({ __total: _t, ...rest }) => rest) });
      } catch (err) {
        await session.query('ROLLBACK TO SAVEPOINT probe');
        skipped.push({ schema: t.schema, table: t.name, reason: `isolation probe: ${(err as Error).message}` });
      }
    }
  } finally {
    await session.query('ROLLBACK').catch(() => undefined);
  }
  return { hits, skipped };
}

/**
 * "Row c is not the probed tenant's" (a member probe: not any of the member's tenants), with
 * `tenant` the parameter or literal: compared in the key's type when known, else as text.
 */
export function otherTenant(t: ProbeTarget, tenant: string, opts: ProbeOptions): string {
  const c = `c.${quoteIdent(t.column)}`;
  if (opts.member) {
    const keyType = opts.cmp?.keyType ?? 'text';
    const value = opts.cmp ? asKeyType(c, t.columnType, keyType, opts.cmp.serverVersionNum) : `${c}::text`;
    return `(${value} IS NULL OR ${value} <> ALL ((${tenant})::${keyType}[]))`;
  }
  if (!opts.cmp) return `${c}::text IS DISTINCT FROM ${tenant}`;
  const value = asKeyType(c, t.columnType, opts.cmp.keyType, opts.cmp.serverVersionNum);
  return `${value} IS DISTINCT FROM (${tenant})::${opts.cmp.keyType}`;
}

/** The probed tenant(s) as a literal for evidence SQL. */
export function tenantLiteral(opts: ProbeOptions): string {
  return opts.member ? `ARRAY[${opts.member.tenants.map((v) => pg.escapeLiteral(v)).join(', ')}]::text[]` : pg.escapeLiteral(opts.tenant);
}
