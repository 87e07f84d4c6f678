/** `rls-view-bypass`: a view over a table with RLS on that runs as its owner, readable by the app role. */
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type RlsCatalogCheck } from '../check-module.js';
import { isSecurityInvoker, relEvidence, type BypassFacts, type ViewFact } from '../rls-bypass.js';

/** The protected tables a view or materialized view reads, as schema.table, sorted. */
export function viewBases(facts: BypassFacts, v: ViewFact): string[] {
  return v.bases.map((b) => facts.byOid.get(Number(b))!).map((t) => `${t.schema}.${t.table}`).sort();
}

/** Who owns it, and whether that role bypasses RLS. */
export function ownerNote(v: ViewFact): string {
  return `owned by ${v.owner}${v.owner_bypasses ? ', which bypasses RLS' : ''}`;
}

/** The check. */
export const rlsViewBypass: RlsCatalogCheck = {
  id: 'rls-view-bypass', severity: 'error', kind: 'catalog', title: 'View runs as its owner',
  why: "A view without security_invoker reads its tables with its owner's rights: when the owner bypasses RLS (a superuser, BYPASSRLS, or the table's owner without FORCE), every reader sees every tenant.",
  finds: 'a view (or a view over such a view) of a tenant or scoped table with RLS on that runs as its owner (no `security_invoker`; before PostgreSQL 15 every view), readable by the app role',
  needs: 'rls-catalog',
  find({ role, serverVersionNum, unknown }, facts) {
    const canInvoke = serverVersionNum >= 150000;
    return facts.views.filter((v) => v.kind === 'v').flatMap((v) => {
      const bases = viewBases(facts, v);
      if (canInvoke && isSecurityInvoker(v.options)) return [];
      if (v.readable === null) { unknown(v.schema, v.name, `view of ${bases.join(', ')} that runs as its owner`); return []; }
      if (!v.readable) return [];
      return [finding('rls-view-bypass', { schema: v.schema, table: v.name }, {
        message: `${v.schema}.${v.name}: view of ${bases.join(', ')} (RLS on) runs as its owner (${ownerNote(v)}${canInvoke ? ', no security_invoker' : '; before PostgreSQL 15 every view does'}); ${role} reads through it with the owner's rights`,
        sql: relEvidence(v.schema, v.name, role),
        remedy: canInvoke
          ? `ALTER VIEW ${qualified(v.schema, v.name)} SET (security_invoker = true);  -- policies then apply as the reader`
          : `REVOKE ALL ON ${qualified(v.schema, v.name)} FROM ${quoteIdent(role!)};  -- PostgreSQL < 15 has no security_invoker; or add the tenant filter to the view's query`,
      })];
    });
  },
};
