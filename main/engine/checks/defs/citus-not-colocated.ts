/** `citus-not-colocated`: a distributed tenant table outside the tenant table's co-location group, or than a table it references. */
import type { ModelCheck } from '../check-module.js';
import { notColocatedFindings } from '../citus.js';

/** The check. */
export const citusNotColocated: ModelCheck = {
  id: 'citus-not-colocated', severity: 'error', kind: 'catalog', title: 'Distributed tenant table not co-located',
  why: "A tenant table in another co-location group than the tenant table (or than a table it references) keeps one tenant's rows on other workers: joins and foreign keys between them cannot run on one node.",
  finds: "on a Citus cluster: a tenant table distributed by the tenant column in another co-location group than the tenant table's (or the group most tenant tables share), or with a foreign key to a distributed scoped table of another group; remedy `update_distributed_table_colocation`",
  needs: 'model',
  find({ model }, t) {
    return notColocatedFindings(t, model);
  },
};
