/** `rls-matview-bypass`: a materialized view of a table with RLS on, readable by the app role. */
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type RlsCatalogCheck } from '../check-module.js';
import { relEvidence } from '../rls-bypass.js';
import { ownerNote, viewBases } from './rls-view-bypass.js';

/** The check. */
export const rlsMatviewBypass: RlsCatalogCheck = {
  id: 'rls-matview-bypass', severity: 'error', kind: 'catalog', title: 'Materialized view of a tenant table',
  why: 'A materialized view stores the rows its owner saw and has no RLS of its own: whoever may read it reads every tenant in it.',
  finds: 'a materialized view of a tenant or scoped table with RLS on, readable by the app role (it has no RLS)',
  needs: 'rls-catalog',
  find({ role, unknown }, facts) {
    return facts.views.filter((v) => v.kind === 'm').flatMap((v) => {
      const bases = viewBases(facts, v);
      if (v.readable === null) { unknown(v.schema, v.name, `materialized view of ${bases.join(', ')}`); return []; }
      if (!v.readable) return [];
      return [finding('rls-matview-bypass', { schema: v.schema, table: v.name }, {
        message: `${v.schema}.${v.name}: materialized view of ${bases.join(', ')} (RLS on); a materialized view has no RLS, so ${role} reads the rows of every tenant it stored (${ownerNote(v)})`,
        sql: relEvidence(v.schema, v.name, role),
        remedy: `REVOKE ALL ON ${qualified(v.schema, v.name)} FROM ${quoteIdent(role!)};  -- revoke from PUBLIC too if granted there; expose it through a view WITH (security_invoker = true) that filters by tenant, or drop it`,
      })];
    });
  },
};
