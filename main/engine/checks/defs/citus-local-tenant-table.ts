/** `citus-local-tenant-table`: on a Citus cluster, a tenant-scoped table still local on the coordinator. */
import type { ModelCheck } from '../check-module.js';
import { isLocal, isTenantScoped, localFinding, onCluster } from '../citus.js';

/** The check. */
export const citusLocalTenantTable: ModelCheck = {
  id: 'citus-local-tenant-table', severity: 'error', kind: 'catalog', title: 'Tenant table still local on the cluster',
  why: 'On a Citus cluster a tenant table left on the coordinator is not sharded: it cannot hold a foreign key to or from the distributed tenant tables, and every join with them pulls rows across the network.',
  finds: 'on a Citus cluster: the tenant table, a table with the tenant column or one scoped through a parent that is still local on the coordinator (plain or a Citus local table); remedy `create_distributed_table(..., colocate_with => tenant table)`',
  needs: 'model',
  find({ model }, t) {
    if (!onCluster(model) || !t.citus || !isTenantScoped(t) || !isLocal(t)) return [];
    return [localFinding(t, model)];
  },
};
