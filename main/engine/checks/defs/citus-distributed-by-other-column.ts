/** `citus-distributed-by-other-column`: a tenant table distributed by a column other than the tenant column. */
import type { ModelCheck } from '../check-module.js';
import { expectedColumn, isDistributed, onCluster, otherColumnFinding } from '../citus.js';

/** The check. */
export const citusDistributedByOtherColumn: ModelCheck = {
  id: 'citus-distributed-by-other-column', severity: 'error', kind: 'catalog', title: 'Distributed by a column other than the tenant column',
  why: "A tenant table distributed by another column spreads one tenant's rows over every shard: tenant-local joins, foreign keys with the tenant column and per-tenant isolation no longer work.",
  finds: 'on a Citus cluster: a tenant table distributed by another column than its tenant column (the tenant table: than its key), or a single-shard table; remedy `alter_distributed_table(..., distribution_column := ...)`',
  needs: 'model',
  find({ model }, t) {
    if (!onCluster(model) || !t.citus || !isDistributed(t)) return [];
    const col = expectedColumn(t, model);
    if (col === null || t.citus.distributionColumn === col) return [];
    return [otherColumnFinding(t, model, col)];
  },
};
