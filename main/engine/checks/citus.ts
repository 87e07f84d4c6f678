/**
 * What the four Citus checks (defs/citus-*.ts) share, from the model alone (its placements come
 * from pg_dist_partition): the evidence query, the column a table must be distributed by, the
 * tenant co-location group, and the findings per table. On a single server (no citus extension)
 * they find nothing: there is nothing to distribute.
 */
import pg from 'pg';
import type { Finding } from '../../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { qualified } from '../ident.js';
import { finding } from './check-module.js';

const lit = (t: { schema: string; table: string }) => pg.escapeLiteral(qualified(t.schema, t.table));
const name = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;

/** The evidence for every Citus check: the table's row in Citus's metadata (none for a local table). */
export function placementEvidence(t: { schema: string; table: string }): string {
  return `SELECT c.oid::regclass AS table_name, p.partmethod, p.repmodel, ` +
    `CASE WHEN p.partkey IS NULL THEN NULL ELSE pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END AS distribution_column, p.colocationid ` +
    `FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid = c.oid WHERE c.oid = ${lit(t)}::regclass;`;
}

/** The column a table must be distributed by: the tenant table's key, a tenant table's tenant column. */
export function expectedColumn(t: TableInfo, model: TenancyModel): string | null {
  if (t.role === 'tenant-table') return model.tenantTable?.keyColumn ?? null;
  if (t.role === 'tenant') return t.tenantColumn?.name ?? null;
  return null;
}

/** Whether a table is distributed (hash or single-shard). */
export const isDistributed = (t: TableInfo) => t.citus?.kind === 'distributed';
/** Whether a table is on the coordinator only (plain or citus-local). */
export const isLocal = (t: TableInfo) => t.citus?.kind === 'local' || t.citus?.kind === 'citus-local';

/**
 * The co-location group tenant tables belong in: the tenant table's when it is distributed by its
 * key, else the group most tenant tables distributed by their tenant column share (ties: lowest id).
 */
export function tenantGroup(model: TenancyModel): number | null {
  const tt = model.tables.find((t) => t.role === 'tenant-table');
  if (tt && isDistributed(tt) && tt.citus!.distributionColumn === expectedColumn(tt, model)) return tt.citus!.colocationId;
  const counts = new Map<number, number>();
  for (const t of model.tables) {
    if (t.role !== 'tenant' || !isDistributed(t) || t.citus!.colocationId === null) continue;
    if (t.citus!.distributionColumn !== expectedColumn(t, model)) continue;
    counts.set(t.citus!.colocationId, (counts.get(t.citus!.colocationId) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  return best ? best[0] : null;
}

/** The table to co-locate with, as create_distributed_table's colocate_with names it. */
function anchor(model: TenancyModel): string {
  const tt = model.tenantTable;
  return tt ? qualified(tt.schema, tt.table) : 'default';
}

/** citus-local-tenant-table for one table. */
export function localFinding(t: TableInfo, model: TenancyModel): Finding {
  const col = expectedColumn(t, model);
  const tenantTable = model.tenantTable!;
  const distribute = t.role === 'tenant-table'
    ? `SELECT create_distributed_table(${lit(t)}, ${pg.escapeLiteral(col!)});`
    : col
      ? `SELECT create_distributed_table(${lit(t)}, ${pg.escapeLiteral(col)}, colocate_with => ${pg.escapeLiteral(anchor(model))});`
      : `-- ${name(t)} reaches its tenant only through a foreign key: add ${model.tenantColumn} (and backfill it along the path), then\n` +
        `-- SELECT create_distributed_table(${lit(t)}, ${pg.escapeLiteral(model.tenantColumn ?? 'tenant_id')}, colocate_with => ${pg.escapeLiteral(anchor(model))});`;
  const what = t.role === 'tenant-table' ? 'the tenant table' : t.role === 'scoped' ? 'scoped through a parent' : `has tenant column ${col}`;
  return finding('citus-local-tenant-table', t, {
    ...(col ? { column: col } : {}),
    message: `${name(t)} (${what}) is ${t.citus!.kind === 'citus-local' ? 'a Citus local table' : 'local'} on the coordinator: not sharded by tenant${t.role === 'tenant-table' ? '' : ` with ${tenantTable.schema}.${tenantTable.table}`}`,
    sql: placementEvidence(t),
    remedy: `${distribute}  -- create_distributed_table_concurrently lets writes continue (see the distribute runbook step)`,
  });
}

/** citus-distributed-by-other-column for one table. */
export function otherColumnFinding(t: TableInfo, model: TenancyModel, col: string): Finding {
  const by = t.citus!.distributionColumn;
  return finding('citus-distributed-by-other-column', t, {
    column: col,
    message: `${name(t)} is distributed by ${by ?? 'no column (a single-shard table)'}, not by ${col}: one tenant's rows are spread over every shard`,
    sql: placementEvidence(t),
    remedy: by === null
      ? `SELECT undistribute_table(${lit(t)});\nSELECT create_distributed_table(${lit(t)}, ${pg.escapeLiteral(col)}${t.role === 'tenant-table' ? '' : `, colocate_with => ${pg.escapeLiteral(anchor(model))}`});`
      : `SELECT alter_distributed_table(${lit(t)}, distribution_column := ${pg.escapeLiteral(col)}${t.role === 'tenant-table' ? '' : `, colocate_with := ${pg.escapeLiteral(anchor(model))}`});`,
  });
}

/** Whether the Citus checks apply: a model read on a cluster, with a tenant table. */
export function onCluster(model: TenancyModel): model is TenancyModel & { tenantTable: NonNullable<TenancyModel['tenantTable']> } {
  return model.cluster !== null && model.tenantTable !== null;
}

/** Tenant-scoped tables: the tenant table, tables with the tenant column, tables scoped through a parent. */
export const isTenantScoped = (t: TableInfo) => t.role === 'tenant' || t.role === 'scoped' || t.role === 'tenant-table';

/** A distributed tenant table distributed by its tenant column but outside the tenant group, with that group. */
export function outOfGroup(t: TableInfo, model: TenancyModel): { group: number } | null {
  if (!t.citus || !isTenantScoped(t) || !isDistributed(t)) return null;
  const col = expectedColumn(t, model);
  if (col === null || t.citus.distributionColumn !== col) return null;
  const group = tenantGroup(model);
  return group !== null && t.citus.colocationId !== group ? { group } : null;
}

/** A tenant-scoped table distributed by the column it should be (the tenant column, or the tenant table's key). */
function properlyDistributed(t: TableInfo, model: TenancyModel): boolean {
  const col = expectedColumn(t, model);
  return isTenantScoped(t) && isDistributed(t) && col !== null && t.citus!.distributionColumn === col;
}

/** citus-not-colocated for one table: out of the tenant group, or (when in it) an FK to a distributed scoped table of another group. */
export function notColocatedFindings(t: TableInfo, model: TenancyModel): Finding[] {
  if (!onCluster(model) || !t.citus || !isDistributed(t)) return [];
  const out = outOfGroup(t, model);
  if (out) {
    return [finding('citus-not-colocated', t, {
      column: expectedColumn(t, model)!,
      message: `${name(t)} is in co-location group ${t.citus.colocationId}, the tenant tables in group ${out.group}: a tenant's rows here and in ${model.tenantTable.schema}.${model.tenantTable.table} live on different shards`,
      sql: placementEvidence(t),
      remedy: `SELECT update_distributed_table_colocation(${lit(t)}, colocate_with => ${pg.escapeLiteral(anchor(model))});  -- same shard count and column type needed; else alter_distributed_table(..., colocate_with := ...)`,
    })];
  }
  // Only between tables distributed as they should be: a wrongly distributed one has its own finding already.
  if (!properlyDistributed(t, model)) return [];
  const found: Finding[] = [];
  for (const fk of t.foreignKeys) {
    const parent = model.tables.find((p) => p.schema === fk.refSchema && p.table === fk.refTable);
    // A referenced tenant or global table placed wrongly has its own finding; a scoped (or unscoped) one has none.
    if (!parent || parent === t || !isDistributed(parent) || (parent.role !== 'scoped' && parent.role !== 'unscoped')) continue;
    if (parent.citus!.colocationId === t.citus.colocationId) continue;
    found.push(finding('citus-not-colocated', t, {
      constraint: fk.name,
      message: `${name(t)} (group ${t.citus.colocationId}) references ${name(parent)} (group ${parent.citus!.colocationId}) through ${fk.name}: the rows it joins live on other shards`,
      sql: placementEvidence(t),
      remedy: `SELECT update_distributed_table_colocation(${lit(t)}, colocate_with => ${lit(parent)});`,
    }));
  }
  return found;
}

/** citus-global-not-reference for one global table: referenced by tenant-scoped tables, or hash-distributed, and not a reference table. */
export function globalNotReferenceFinding(g: TableInfo, model: TenancyModel): Finding | null {
  if (!onCluster(model) || g.role !== 'global' || !g.citus || g.citus.kind === 'reference') return null;
  const referencing = model.tables.filter((t) => t !== g && isTenantScoped(t) && t.foreignKeys.some((fk) => fk.refSchema === g.schema && fk.refTable === g.table));
  if (referencing.length === 0 && g.citus.kind !== 'distributed') return null;
  const why = referencing.length > 0
    ? `referenced by ${referencing.slice(0, 3).map(name).join(', ')}${referencing.length > 3 ? ` and ${referencing.length - 3} more` : ''}`
    : `hash-distributed by ${g.citus.distributionColumn ?? 'no column'}`;
  return finding('citus-global-not-reference', g, {
    message: `${name(g)} is global and ${why}, but it is ${g.citus.kind === 'distributed' ? 'distributed' : 'local'}, not a reference table`,
    sql: placementEvidence(g),
    remedy: `${g.citus.kind === 'distributed' || g.citus.kind === 'citus-local' ? `SELECT undistribute_table(${lit(g)});\n` : ''}SELECT create_reference_table(${lit(g)});  -- reference tables first, before the tenant tables that reference them`,
  });
}
