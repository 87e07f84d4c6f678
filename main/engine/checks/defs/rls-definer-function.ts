/** `rls-definer-function`: a SECURITY DEFINER function executable by the app role that reads tenant tables (a blind spot). */
import pg from 'pg';
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type RlsCatalogCheck } from '../check-module.js';
import { tablesNamedIn } from '../rls-bypass.js';

const lit = (s: string) => pg.escapeLiteral(s);

/** The check: the body is matched conservatively (a name as a word, dynamic SQL, a language not read). */
export const rlsDefinerFunction: RlsCatalogCheck = {
  id: 'rls-definer-function', severity: 'warning', kind: 'catalog', title: 'SECURITY DEFINER function over tenant tables',
  why: "A SECURITY DEFINER function runs with its owner's rights: what it returns to the application role is filtered only by its own code, which no check can see into.",
  finds: 'a blind spot: a `SECURITY DEFINER` function in scope, executable by the app role, whose body names a tenant or scoped table with RLS on (or runs dynamic SQL, or is in a language not read)',
  needs: 'rls-catalog',
  find({ role, unknown }, facts) {
    return facts.functions.flatMap((f) => {
      const named = new Set([...tablesNamedIn(f.body ?? '', facts.tables), ...f.depends_on.map((o) => facts.byOid.get(Number(o))!)]);
      const dynamic = f.language === 'plpgsql' && /(^|[^a-z0-9_])execute([^a-z0-9_]|$)/i.test(f.body ?? '');
      const unread = f.language !== 'sql' && f.language !== 'plpgsql';
      if (named.size === 0 && !dynamic && !unread) return [];
      const sig = `${qualified(f.schema, f.name)}(${f.arg_types})`;
      const reads = [
        ...(named.size > 0 ? [`its body names ${[...named].map((t) => `${t.schema}.${t.table}`).sort().join(', ')}`] : []),
        ...(dynamic ? ['it runs dynamic SQL (EXECUTE)'] : []),
        ...(unread ? [`its ${f.language} body is not read`] : []),
      ].join('; ');
      if (f.executable === null) { unknown(f.schema, `${f.name}(${f.args})`, `SECURITY DEFINER function: ${reads}`); return []; }
      if (!f.executable) return [];
      return [finding('rls-definer-function', { schema: f.schema, table: f.name }, {
        constraint: `${f.name}(${f.args})`,
        message: `${f.schema}.${f.name}(${f.args}): SECURITY DEFINER, executable by ${role}, runs as ${f.owner}${f.owner_bypasses ? ' (bypasses RLS)' : ''}; ${reads}: a blind spot the probe cannot see into`,
        sql: `SELECT p.oid::regprocedure AS function, p.prosecdef, pg_catalog.pg_get_userbyid(p.proowner) AS owner, pg_catalog.has_function_privilege(${lit(role!)}, p.oid, 'EXECUTE') AS executable_by_app ` +
          `FROM pg_catalog.pg_proc p WHERE p.oid = ${lit(sig)}::regprocedure;`,
        remedy: `ALTER FUNCTION ${sig} SECURITY INVOKER;  -- if it must run as its owner, filter by the tenant setting inside it, or:\n` +
          `-- REVOKE EXECUTE ON FUNCTION ${sig} FROM PUBLIC, ${quoteIdent(role!)};`,
      })];
    });
  },
};
