/**
 * Every way around RLS, from the catalogs only (no table scans): partitions read directly while RLS
 * is on the parent only, views that run as their owner, materialized views, and SECURITY DEFINER
 * functions, each over a tenant or scoped table with RLS enabled, and each readable (executable)
 * by the application role.
 */
import pg from 'pg';
import type { Finding, Skipped } from '../../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { finding } from './catalog-checks.js';

/** Tenant and scoped tables whose RLS a direct read could go around. */
function protectedTables(model: TenancyModel): TableInfo[] {
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

const lit = (s: string) => pg.escapeLiteral(s);
const relEvidence = (schema: string, name: string, role: string | undefined) =>
  `SELECT c.oid::regclass AS relation, c.relkind, c.relrowsecurity, c.reloptions, pg_catalog.pg_get_userbyid(c.relowner) AS owner` +
  `${role ? `, pg_catalog.has_any_column_privilege(${lit(role)}, c.oid, 'SELECT') AS readable_by_app` : ''} ` +
  `FROM pg_catalog.pg_class c WHERE c.oid = ${lit(qualified(schema, name))}::regclass;`;
const at = (schema: string, table: string) => ({ schema, table });

/**
 * The four RLS bypass checks. With no app role the objects are listed under "Not checked" (who may
 * read them is unknown), never passed.
 */
export async function rlsBypassFindings(session: Session, model: TenancyModel, role: string | undefined): Promise<{ findings: Finding[]; skipped: Skipped[] }> {
  const tables = protectedTables(model);
  const findings: Finding[] = [];
  const skipped: Skipped[] = [];
  if (tables.length === 0) return { findings, skipped };
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const oids = tables.map((t) => t.oid);
  const appRole = role ?? null;
  const unknown = (schema: string, table: string, what: string) =>
    skipped.push({ schema, table, reason: `RLS bypass: ${what}; whether the application may read it needs --rls-role` });

  const parts = await session.query<{ root: string; schema: string; name: string; readable: boolean | null }>(PARTITIONS_SQL, [oids, appRole]);
  for (const p of parts.rows) {
    const parent = byOid.get(Number(p.root))!;
    if (p.readable === null) { unknown(p.schema, p.name, `partition of ${parent.schema}.${parent.table} without RLS`); continue; }
    if (!p.readable) continue;
    const copies = parent.policies.map((x) => `-- CREATE POLICY ${quoteIdent(x.name)} ON ${qualified(p.schema, p.name)} FOR ${x.command}${x.using ? ` USING (${x.using})` : ''}${x.withCheck ? ` WITH CHECK (${x.withCheck})` : ''};`);
    findings.push(finding('rls-partition-bypass', at(p.schema, p.name), {
      message: `${p.schema}.${p.name}: partition of ${parent.schema}.${parent.table} (RLS on) has RLS off; ${role} can read it directly and sees every tenant's rows`,
      sql: relEvidence(p.schema, p.name, role),
      remedy: [
        `REVOKE ALL ON ${qualified(p.schema, p.name)} FROM ${quoteIdent(role!)};  -- read through the parent, whose policies apply (revoke from PUBLIC too if granted there)`,
        '-- or give the partition its own RLS and the parent\'s policies:',
        `-- ALTER TABLE ${qualified(p.schema, p.name)} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${qualified(p.schema, p.name)} FORCE ROW LEVEL SECURITY;`,
        ...copies,
      ].join('\n'),
    }));
  }

  const canInvoke = session.fingerprint.serverVersionNum >= 150000;
  const views = await session.query<{ schema: string; name: string; kind: string; options: string[] | null; owner: string; owner_bypasses: boolean; bases: string[]; readable: boolean | null }>(VIEWS_SQL, [oids, appRole]);
  for (const v of views.rows) {
    const bases = v.bases.map((b) => byOid.get(Number(b))!).map((t) => `${t.schema}.${t.table}`).sort();
    const owner = `owned by ${v.owner}${v.owner_bypasses ? ', which bypasses RLS' : ''}`;
    if (v.kind === 'm') {
      if (v.readable === null) { unknown(v.schema, v.name, `materialized view of ${bases.join(', ')}`); continue; }
      if (!v.readable) continue;
      findings.push(finding('rls-matview-bypass', at(v.schema, v.name), {
        message: `${v.schema}.${v.name}: materialized view of ${bases.join(', ')} (RLS on); a materialized view has no RLS, so ${role} reads the rows of every tenant it stored (${owner})`,
        sql: relEvidence(v.schema, v.name, role),
        remedy: `REVOKE ALL ON ${qualified(v.schema, v.name)} FROM ${quoteIdent(role!)};  -- revoke from PUBLIC too if granted there; expose it through a view WITH (security_invoker = true) that filters by tenant, or drop it`,
      }));
      continue;
    }
    if (canInvoke && isSecurityInvoker(v.options)) continue;
    if (v.readable === null) { unknown(v.schema, v.name, `view of ${bases.join(', ')} that runs as its owner`); continue; }
    if (!v.readable) continue;
    findings.push(finding('rls-view-bypass', at(v.schema, v.name), {
      message: `${v.schema}.${v.name}: view of ${bases.join(', ')} (RLS on) runs as its owner (${owner}${canInvoke ? ', no security_invoker' : '; before PostgreSQL 15 every view does'}); ${role} reads through it with the owner's rights`,
      sql: relEvidence(v.schema, v.name, role),
      remedy: canInvoke
        ? `ALTER VIEW ${qualified(v.schema, v.name)} SET (security_invoker = true);  -- policies then apply as the reader`
        : `REVOKE ALL ON ${qualified(v.schema, v.name)} FROM ${quoteIdent(role!)};  -- PostgreSQL < 15 has no security_invoker; or add the tenant filter to the view's query`,
    }));
  }

  const fns = await session.query<{ schema: string; name: string; args: string; arg_types: string; language: string; body: string | null; owner: string; owner_bypasses: boolean; depends_on: string[]; executable: boolean | null }>(FUNCTIONS_SQL, [oids, appRole, model.schemas]);
  for (const f of fns.rows) {
    const named = new Set([...tablesNamedIn(f.body ?? '', tables), ...f.depends_on.map((o) => byOid.get(Number(o))!)]);
    const dynamic = f.language === 'plpgsql' && /(^|[^a-z0-9_])execute([^a-z0-9_]|$)/i.test(f.body ?? '');
    const unread = f.language !== 'sql' && f.language !== 'plpgsql';
    if (named.size === 0 && !dynamic && !unread) continue;
    const sig = `${qualified(f.schema, f.name)}(${f.arg_types})`;
    const reads = [
      ...(named.size > 0 ? [`its body names ${[...named].map((t) => `${t.schema}.${t.table}`).sort().join(', ')}`] : []),
      ...(dynamic ? ['it runs dynamic SQL (EXECUTE)'] : []),
      ...(unread ? [`its ${f.language} body is not read`] : []),
    ].join('; ');
    if (f.executable === null) { unknown(f.schema, `${f.name}(${f.args})`, `SECURITY DEFINER function: ${reads}`); continue; }
    if (!f.executable) continue;
    findings.push(finding('rls-definer-function', at(f.schema, f.name), {
      constraint: `${f.name}(${f.args})`,
      message: `${f.schema}.${f.name}(${f.args}): SECURITY DEFINER, executable by ${role}, runs as ${f.owner}${f.owner_bypasses ? ' (bypasses RLS)' : ''}; ${reads}: a blind spot the probe cannot see into`,
      sql: `SELECT p.oid::regprocedure AS function, p.prosecdef, pg_catalog.pg_get_userbyid(p.proowner) AS owner, pg_catalog.has_function_privilege(${lit(role!)}, p.oid, 'EXECUTE') AS executable_by_app ` +
        `FROM pg_catalog.pg_proc p WHERE p.oid = ${lit(sig)}::regprocedure;`,
      remedy: `ALTER FUNCTION ${sig} SECURITY INVOKER;  -- if it must run as its owner, filter by the tenant setting inside it, or:\n` +
        `-- REVOKE EXECUTE ON FUNCTION ${sig} FROM PUBLIC, ${quoteIdent(role!)};`,
    }));
  }
  return { findings, skipped };
}
