/**
 * The catalog reads around RLS (no table scans), made once for the rls-*-bypass and
 * rls-definer-function checks: partitions with RLS off, views and materialized views, and
 * SECURITY DEFINER functions, over tenant or scoped tables with RLS enabled, with whether the
 * application role may read (execute) each.
 */
import pg from 'pg';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { qualified } from '../ident.js';
import type { Session } from '../session.js';

/** Tenant and scoped tables whose RLS a direct read could go around. */
export function protectedTables(model: TenancyModel): TableInfo[] {
  return model.tables.filter((t) => (t.role === 'tenant' || t.role === 'scoped') && t.rlsEnabled);
}

// $1: oids of protected tables; $2: the app role (NULL: privileges not asked).
const PARTITIONS_SQL = `
WITH RECURSIVE tree AS (
  SELECT i.inhparent AS root, i.inhrelid AS rel FROM pg_catalog.pg_inherits i WHERE i.inhparent = ANY($1::oid[])
  UNION ALL
  SELECT t.root, i.inhrelid FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent = t.rel
)
SELECT t.root::int8 AS root, n.nspname AS schema, c.relname AS name,
       CASE WHEN $2::text IS NULL THEN NULL ELSE pg_catalog.has_any_column_privilege($2::text, c.oid, 'SELECT') END AS readable
FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.rel AND c.relispartition JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT c.relrowsecurity
ORDER BY 2, 3`;

// Views and materialized views reaching a protected table, through other views too.
const VIEWS_SQL = `
WITH RECURSIVE deps AS (
  SELECT DISTINCT r.ev_class AS view, d.refobjid AS base
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.refobjid = ANY($1::oid[]) AND r.ev_class <> d.refobjid
  UNION
  SELECT r.ev_class, deps.base
  FROM deps JOIN pg_catalog.pg_depend d ON d.refobjid = deps.view AND d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid AND r.ev_class <> deps.view
)
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.reloptions AS options,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       (o.rolsuper OR o.rolbypassrls) AS owner_bypasses,
       array_agg(DISTINCT deps.base::int8) AS bases,
       CASE WHEN $2::text IS NULL THEN NULL ELSE pg_catalog.has_any_column_privilege($2::text, c.oid, 'SELECT') END AS readable
FROM deps JOIN pg_catalog.pg_class c ON c.oid = deps.view AND c.relkind IN ('v', 'm')
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_roles o ON o.oid = c.relowner
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
GROUP BY 1, 2, 3, 4, 5, 6, c.oid
ORDER BY 1, 2`;

// SECURITY DEFINER functions of the schemas in scope, not from an extension.
const FUNCTIONS_SQL = `
SELECT n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args, pg_catalog.oidvectortypes(p.proargtypes) AS arg_types,
       l.lanname AS language, p.prosrc AS body, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
       (o.rolsuper OR o.rolbypassrls) AS owner_bypasses,
       ARRAY(SELECT d.refobjid::int8 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
             AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ANY($1::oid[])) AS depends_on,
       CASE WHEN $2::text IS NULL THEN NULL ELSE pg_catalog.has_function_privilege($2::text, p.oid, 'EXECUTE') END AS executable
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang JOIN pg_catalog.pg_roles o ON o.oid = p.proowner
WHERE p.prosecdef AND n.nspname = ANY($3::text[])
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
ORDER BY 1, 2, 3`;

/** Whether reloptions say security_invoker (PostgreSQL 15+). */
export function isSecurityInvoker(options: string[] | null): boolean {
  return (options ?? []).some((o) => /^security_invoker=(true|on|yes|1)$/i.test(o));
}

/** Tables whose name the function body mentions as a word (quoted or not, any case): conservative. */
export function tablesNamedIn(body: string, tables: TableInfo[]): TableInfo[] {
  const text = body.toLowerCase();
  const esc = (s: string) => s.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return tables.filter((t) => new RegExp(`(^|[^a-z0-9_$])${esc(t.table)}($|[^a-z0-9_$])`).test(text));
}

/** Evidence: the relation's kind, RLS, options, owner and whether the app role may read it. */
export function relEvidence(schema: string, name: string, role: string | undefined): string {
  const lit = (s: string) => pg.escapeLiteral(s);
  return `SELECT c.oid::regclass AS relation, c.relkind, c.relrowsecurity, c.reloptions, pg_catalog.pg_get_userbyid(c.relowner) AS owner` +
    `${role ? `, pg_catalog.has_any_column_privilege(${lit(role)}, c.oid, 'SELECT') AS readable_by_app` : ''} ` +
    `FROM pg_catalog.pg_class c WHERE c.oid = ${lit(qualified(schema, name))}::regclass;`;
}

/** A partition with RLS off of a protected table. */
export interface PartitionFact { root: string; schema: string; name: string; readable: boolean | null }
/** A view or materialized view over a protected table (`bases`: their oids). */
export interface ViewFact { schema: string; name: string; kind: string; options: string[] | null; owner: string; owner_bypasses: boolean; bases: string[]; readable: boolean | null }
/** A SECURITY DEFINER function in scope. */
export interface FunctionFact { schema: string; name: string; args: string; arg_types: string; language: string; body: string | null; owner: string; owner_bypasses: boolean; depends_on: string[]; executable: boolean | null }

/** What the catalogs say around RLS; `readable`/`executable` is null when no app role was given. */
export interface BypassFacts {
  /** Tenant and scoped tables with RLS enabled, and the same by oid. */
  tables: TableInfo[];
  byOid: Map<number, TableInfo>;
  partitions: PartitionFact[];
  views: ViewFact[];
  functions: FunctionFact[];
}

/** Read the catalogs once for every check that needs them; null when no table has RLS enabled. */
export async function readBypassFacts(session: Session, model: TenancyModel, role: string | undefined): Promise<BypassFacts | null> {
  const tables = protectedTables(model);
  if (tables.length === 0) return null;
  const oids = tables.map((t) => t.oid);
  const appRole = role ?? null;
  const partitions = await session.query<PartitionFact>(PARTITIONS_SQL, [oids, appRole]);
  const views = await session.query<ViewFact>(VIEWS_SQL, [oids, appRole]);
  const functions = await session.query<FunctionFact>(FUNCTIONS_SQL, [oids, appRole, model.schemas]);
  return { tables, byOid: new Map(tables.map((t) => [t.oid, t])), partitions: partitions.rows, views: views.rows, functions: functions.rows };
}
