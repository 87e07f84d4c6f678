/**
 * The `distribute` step: create_distributed_table (or its _concurrently form) or
 * create_reference_table on one table, with its locks and expected duration shown before it runs.
 * It reads Citus's metadata first, so a table already placed as asked is not distributed again
 * (continuing an interrupted run is safe), and one placed otherwise fails instead of passing.
 */
import { distributeExpectedMs, distributeFunction, distributeLocks } from '../../../shared/distribute-step.js';
import type { CitusPlacement } from '../../../shared/model.js';
import type { Evidence, RunbookStep } from '../../../shared/runbook.js';
import { parseQualifiedName, qualified } from '../ident.js';
import { readCitusCluster, readPlacements } from '../model/citus.js';
import type { Session } from '../session.js';

type DistributeStep = Extract<RunbookStep, { kind: 'distribute' }>;

/** What the step will do, read from the database before it runs. */
export interface DistributePlan {
  /** The statement, with its values bound as $1..$n. */
  sql: string;
  params: unknown[];
  /** The statement as shown to the operator (values inlined as literals), with locks and expectation. */
  shown: string;
  rows: number | null;
  bytes: number;
  expectedMs: number;
  /** The table's placement now. */
  current: CitusPlacement;
  /** The co-location group of `colocateWith`, when it names a table. */
  targetGroup: number | null;
  /**
   * The table has foreign keys: Citus must copy over one connection per node
   * (citus.multi_shard_modify_mode = sequential) once a reference table is in the FK graph.
   */
  sequential: boolean;
}

/** A problem that stops the step before anything runs (the caller turns it into a StepFailure). */
export class DistributeRefusal extends Error {}

const lit = (v: string) => `'${v.replaceAll("'", "''")}'`;

/** Read the table, its size and current placement, and build the statement. */
export async function planDistribute(session: Session, step: DistributeStep): Promise<DistributePlan> {
  if (!(await readCitusCluster(session))) throw new DistributeRefusal(`${session.fingerprint.database} has no citus extension: a distribute step needs a Citus coordinator`);
  const { schema, table } = parseQualifiedName(step.table);
  const name = qualified(schema, table);
  const found = await session.query<{ oid: string; rows: number; bytes: string }>(
    `SELECT c.oid::int8 AS oid, c.reltuples AS rows,
            ((c.relpages + coalesce(t.relpages, 0) + coalesce((SELECT sum(ic.relpages) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid), 0)) * current_setting('block_size')::int8)::int8 AS bytes
     FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid WHERE c.oid = pg_catalog.to_regclass($1)`,
    [name],
  );
  if (found.rows.length === 0) throw new DistributeRefusal(`table ${step.table} not found`);
  const oid = Number(found.rows[0]!.oid);
  const current = (await readPlacements(session, [oid])).get(oid)!;
  if (step.as === 'distributed' && step.concurrently && (current.kind === 'local' || current.kind === 'citus-local')) {
    const fks = await session.query<{ name: string }>(
      `SELECT conname AS name FROM pg_catalog.pg_constraint WHERE contype = 'f' AND (conrelid = $1::oid OR confrelid = $1::oid) ORDER BY 1`, [oid],
    );
    if (fks.rows.length > 0) {
      throw new DistributeRefusal(`create_distributed_table_concurrently does not take a table in a foreign key (${fks.rows.map((r) => r.name).join(', ')}): set concurrently: false and run it in a window`);
    }
  }
  let targetGroup: number | null = null;
  let colocate: string | undefined;
  if (step.colocateWith !== undefined && step.colocateWith !== 'none' && step.colocateWith !== 'default') {
    const ref = parseQualifiedName(step.colocateWith);
    colocate = qualified(ref.schema, ref.table);
    const other = await session.query<{ oid: string | null }>(`SELECT pg_catalog.to_regclass($1)::oid::int8 AS oid`, [colocate]);
    const otherOid = other.rows[0]?.oid === null || other.rows[0]?.oid === undefined ? null : Number(other.rows[0].oid);
    const placed = otherOid === null ? undefined : (await readPlacements(session, [otherOid])).get(otherOid);
    if (!placed || placed.kind !== 'distributed') throw new DistributeRefusal(`colocateWith ${step.colocateWith} is not a distributed table: distribute it first (an earlier step)`);
    targetGroup = placed.colocationId;
  } else if (step.colocateWith !== undefined) {
    colocate = step.colocateWith;
  }

  const fn = distributeFunction(step);
  const params: unknown[] = [name];
  const shownArgs = [lit(name)];
  if (step.as === 'distributed') {
    params.push(step.column);
    shownArgs.push(lit(step.column!));
    if (colocate !== undefined) { params.push(colocate); shownArgs.push(`colocate_with => ${lit(colocate)}`); }
    if (step.shardCount !== undefined) { params.push(step.shardCount); shownArgs.push(`shard_count => ${step.shardCount}`); }
  }
  const named = (i: number) => {
    if (step.as === 'reference' || i < 2) return `$${i + 1}${i === 0 ? '::regclass' : '::text'}`;
    if (colocate !== undefined && i === 2) return `colocate_with => $3::text`;
    return `shard_count => $${i + 1}::int`;
  };
  const sql = `SELECT pg_catalog.${fn}(${params.map((_, i) => named(i)).join(', ')})`;
  const outgoing = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_catalog.pg_constraint WHERE contype = 'f' AND conrelid = $1::oid`, [oid]);
  const sequential = step.as === 'distributed' && !step.concurrently && outgoing.rows[0]!.n > 0;
  const rows = found.rows[0]!.rows < 0 ? null : Math.round(found.rows[0]!.rows);
  const bytes = Number(found.rows[0]!.bytes);
  const expectedMs = distributeExpectedMs(bytes);
  const shown = [
    `-- locks: ${distributeLocks(step)}`,
    `-- expected: about ${(expectedMs / 1000).toFixed(0)} s for ${rows === null ? 'an unanalyzed table of' : `~${rows.toLocaleString('en-US')} rows,`} ${(bytes / 1024 / 1024).toFixed(1)} MB (an estimate)`,
    ...(sequential ? [`SET LOCAL citus.multi_shard_modify_mode = 'sequential';  -- it has foreign keys: one connection per node, as Citus requires once a reference table is in their graph`] : []),
    `SELECT ${fn}(${shownArgs.join(', ')});`,
  ].join('\n');
  return { sql, params, shown, rows, bytes, expectedMs, current, targetGroup, sequential };
}

/** Whether a placement is what the step asks for. */
export function placedAsAsked(step: DistributeStep, p: CitusPlacement, targetGroup: number | null): boolean {
  if (step.as === 'reference') return p.kind === 'reference';
  return p.kind === 'distributed' && p.distributionColumn === step.column && (targetGroup === null || p.colocationId === targetGroup);
}

function describe(p: CitusPlacement): string {
  if (p.kind === 'distributed') return `distributed by ${p.distributionColumn ?? 'no column (single shard)'} in co-location group ${p.colocationId}, ${p.shardCount} shards`;
  return p.kind === 'reference' ? 'a reference table' : p.kind === 'citus-local' ? 'a Citus local table' : 'local';
}

/**
 * Run the step: skip (with evidence) when the table is already placed as asked, refuse when it is
 * placed otherwise, else run the function and verify the placement from the metadata afterwards.
 */
export async function runDistribute(
  session: Session, step: DistributeStep, onSql?: (sql: string) => void,
): Promise<{ evidence: Evidence; failed: string | null }> {
  const plan = await planDistribute(session, step);
  const ev = (result: string, ran: string[], extra: Record<string, number> = {}): Evidence => ({
    ran, result, refs: {}, counts: { bytes: plan.bytes, expectedMs: plan.expectedMs, ...(plan.rows !== null ? { rows: plan.rows } : {}), ...extra },
  });
  if (placedAsAsked(step, plan.current, plan.targetGroup)) {
    return { evidence: ev(`already ${describe(plan.current)}; not run again`, []), failed: null };
  }
  if (plan.current.kind === 'distributed' || plan.current.kind === 'reference') {
    const why = `${step.table} is already ${describe(plan.current)}; change it with alter_distributed_table or undistribute_table first`;
    return { evidence: ev(why, []), failed: why };
  }
  onSql?.(plan.shown);
  const t0 = Date.now();
  if (step.as === 'distributed' && step.concurrently) {
    // Refused inside a transaction block by Citus: it commits in stages of its own.
    await session.query(plan.sql, plan.params);
  } else {
    await session.transaction(async () => {
      // Reference tables go first: a local tenant table's FK to one must not turn that table into a citus-local table.
      if (step.as === 'reference') await session.query(`SET LOCAL citus.enable_local_reference_table_foreign_keys = off`);
      if (plan.sequential) await session.query(`SET LOCAL citus.multi_shard_modify_mode = 'sequential'`);
      await session.query(plan.sql, plan.params);
    }, { readOnly: false });
  }
  const durationMs = Date.now() - t0;
  const { rows } = await session.query<{ oid: string }>(`SELECT pg_catalog.to_regclass($1)::oid::int8 AS oid`, [plan.params[0]]);
  const oid = Number(rows[0]!.oid);
  const after = (await readPlacements(session, [oid])).get(oid)!;
  const ran = [plan.shown.split('\n').at(-1)!];
  if (!placedAsAsked(step, after, plan.targetGroup)) {
    const why = `${step.table} is ${describe(after)} after ${distributeFunction(step)}, not as the step asks`;
    return { evidence: ev(why, ran, { durationMs }), failed: why };
  }
  return { evidence: ev(`${describe(after)} in ${(durationMs / 1000).toFixed(1)} s (expected about ${(plan.expectedMs / 1000).toFixed(0)} s)`, ran, { durationMs, shards: after.shardCount }), failed: null };
}
