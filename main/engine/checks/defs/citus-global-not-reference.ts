/** `citus-global-not-reference`: a global table tenant tables need that is not a reference table. */
import type { ModelCheck } from '../check-module.js';
import { globalNotReferenceFinding } from '../citus.js';

/** The check. */
export const citusGlobalNotReference: ModelCheck = {
  id: 'citus-global-not-reference', severity: 'warning', kind: 'catalog', title: 'Global table is not a reference table',
  why: 'A shared table that tenant tables reference (or that is hash-distributed) is not on every worker: distributed tables cannot keep a foreign key to it and their joins with it leave the shard.',
  finds: 'on a Citus cluster: a global table referenced by a tenant or scoped table, or hash-distributed, that is not a reference table (reference tables count as global); remedy `create_reference_table`',
  needs: 'model',
  find({ model }, t) {
    const f = globalNotReferenceFinding(t, model);
    return f ? [f] : [];
  },
};
