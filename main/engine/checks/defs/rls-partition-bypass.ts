/** `rls-partition-bypass`: a partition with RLS off of a table with RLS on, readable directly by the app role. */
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type RlsCatalogCheck } from '../check-module.js';
import { relEvidence } from '../rls-bypass.js';

/** The check. */
export const rlsPartitionBypass: RlsCatalogCheck = {
  id: 'rls-partition-bypass', severity: 'error', kind: 'catalog', title: 'Partition readable around RLS',
  why: "RLS on a partitioned table applies to queries on the parent only: a partition with RLS off that the application role can read directly shows every tenant's rows.",
  finds: 'a partition (any level) of a tenant or scoped table with RLS on, whose own RLS is off, that the app role can read directly: RLS on the parent does not apply to it',
  needs: 'rls-catalog',
  find({ role, unknown }, facts) {
    return facts.partitions.flatMap((p) => {
      const parent = facts.byOid.get(Number(p.root))!;
      if (p.readable === null) { unknown(p.schema, p.name, `partition of ${parent.schema}.${parent.table} without RLS`); return []; }
      if (!p.readable) return [];
      const copies = parent.policies.map((x) => `-- CREATE POLICY ${quoteIdent(x.name)} ON ${qualified(p.schema, p.name)} FOR ${x.command}${x.using ? ` USING (${x.using})` : ''}${x.withCheck ? ` WITH CHECK (${x.withCheck})` : ''};`);
      return [finding('rls-partition-bypass', { schema: p.schema, table: p.name }, {
        message: `${p.schema}.${p.name}: partition of ${parent.schema}.${parent.table} (RLS on) has RLS off; ${role} can read it directly and sees every tenant's rows`,
        sql: relEvidence(p.schema, p.name, role),
        remedy: [
          `REVOKE ALL ON ${qualified(p.schema, p.name)} FROM ${quoteIdent(role!)};  -- read through the parent, whose policies apply (revoke from PUBLIC too if granted there)`,
          '-- or give the partition its own RLS and the parent\'s policies:',
          `-- ALTER TABLE ${qualified(p.schema, p.name)} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${qualified(p.schema, p.name)} FORCE ROW LEVEL SECURITY;`,
          ...copies,
        ].join('\n'),
      })];
    });
  },
};
