/**
 * Citus metadata for the model: which tables are local, distributed (column, co-location group,
 * shard count) or reference, and their sizes, row estimates and NULL fractions read from the shards
 * (the coordinator's shell tables are empty, so its own statistics say ~0 rows and 8 kB).
 */
import pg from 'pg';
import type { CitusPlacement } from '../../../shared/model.js';
import type { Session } from '../session.js';

/** Citus's own schemas: never in the default scope. */
export const CITUS_SCHEMAS = ['citus', 'citus_internal', 'columnar', 'columnar_internal'];

/** The cluster the session is on, or null when the citus extension is not installed in this database. */
export interface CitusCluster {
  citusVersion: string;
  /** Active primary worker nodes (the coordinator, group 0, not counted). */
  workers: number;
}

/**
 * Whether this database has the citus extension, and how many workers it has. `extensionVersion`:
 * the extension's version when the caller already read it (null: not installed), saving a query.
 */
export async function readCitusCluster(session: Session, extensionVersion?: string | null): Promise<CitusCluster | null> {
  const version = extensionVersion !== undefined ? extensionVersion
    : (await session.query<{ v: string }>(`SELECT extversion AS v FROM pg_catalog.pg_extension WHERE extname = 'citus'`)).rows[0]?.v ?? null;
  if (version === null) return null;
  const nodes = await session.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_catalog.pg_dist_node WHERE noderole = 'primary' AND isactive AND groupid <> 0`,
  );
  return { citusVersion: version, workers: Number(nodes.rows[0]!.n) };
}

/** What the shards say about one distributed or reference table. */
export interface ShardFacts {
  sizeBytes: number;
  /** Sum of the shards' reltuples (one copy of a reference table); null when a shard was never analyzed. */
  estimatedRows: number | null;
  /** pg_stats.null_frac per column, weighted by each shard's rows. */
  nullFrac: Map<string, number>;
}

/** Classify one pg_dist_partition row. */
export function placementKind(partmethod: string, repmodel: string, colocationId: number): CitusPlacement['kind'] {
  if (partmethod === 'h') return 'distributed';
  if (repmodel === 't') return 'reference';
  // partmethod 'n', statement-based replication: single-shard (schema-based sharding) with a group, citus-local without.
  return colocationId > 0 ? 'distributed' : 'citus-local';
}

/**
 * The Citus placement of each table among `oids`: tables absent from pg_dist_partition are local.
 */
export async function readPlacements(session: Session, oids: number[]): Promise<Map<number, CitusPlacement>> {
  const { rows } = await session.query<{ oid: string; partmethod: string; repmodel: string; colocationid: number; column: string | null; shards: string }>(
    `SELECT p.logicalrelid::oid::int8 AS oid, p.partmethod::text AS partmethod, p.repmodel::text AS repmodel, p.colocationid,
            CASE WHEN p.partkey IS NULL THEN NULL ELSE pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END AS column,
            (SELECT count(*) FROM pg_catalog.pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) AS shards
     FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid::oid = ANY($1::oid[])`,
    [oids],
  );
  const out = new Map<number, CitusPlacement>();
  for (const oid of oids) out.set(oid, { kind: 'local', distributionColumn: null, colocationId: null, shardCount: 0 });
  for (const r of rows) {
    const kind = placementKind(r.partmethod, r.repmodel, r.colocationid);
    out.set(Number(r.oid), {
      kind, distributionColumn: r.column, colocationId: r.colocationid > 0 ? r.colocationid : null, shardCount: Number(r.shards),
    });
  }
  return out;
}

/**
 * Sizes, estimates and NULL fractions of `oids` (distributed or reference tables) from their shards:
 * one statement per node (run_command_on_all_nodes) reading relpages, reltuples and pg_stats of
 * the shard relations, so nothing is locked or scanned. `columns` are the tenant column names.
 */
export async function readShardFacts(session: Session, oids: number[], schemas: string[], columns: string[]): Promise<Map<number, ShardFacts>> {
  const out = new Map<number, ShardFacts>();
  if (oids.length === 0) return out;
  const shards = await session.query<{ oid: string; shardid: string; name: string; schema: string; reference: boolean }>(
    `SELECT s.logicalrelid::oid::int8 AS oid, s.shardid::text AS shardid, n.nspname AS schema,
            (pg_catalog.parse_ident(pg_catalog.shard_name(s.logicalrelid, s.shardid)))[array_length(pg_catalog.parse_ident(pg_catalog.shard_name(s.logicalrelid, s.shardid)), 1)] AS name,
            p.repmodel = 't' AS reference
     FROM pg_catalog.pg_dist_shard s JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid = s.logicalrelid
     JOIN pg_catalog.pg_class c ON c.oid = s.logicalrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE s.logicalrelid::oid = ANY($1::oid[])`,
    [oids],
  );
  const lit = (xs: string[]) => `ARRAY[${xs.map((x) => pg.escapeLiteral(x)).join(', ') || "''"}]::text[]`;
  // Runs on every node; shard relations are named <table>_<shardid>. Set-based: one pass over pg_class, pg_index and pg_stats.
  const command = `WITH rels AS (
      SELECT c.oid, n.nspname, c.relname, c.reltuples, c.relpages, c.reltoastrelid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relname ~ '_[0-9]+$' AND n.nspname = ANY(${lit(schemas)})),
    idx AS (SELECT i.indrelid, sum(ic.relpages) AS pages FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid IN (SELECT oid FROM rels) GROUP BY 1),
    st AS (SELECT s.schemaname, s.tablename, json_object_agg(s.attname, s.null_frac) AS nf FROM pg_catalog.pg_stats s
      WHERE s.schemaname = ANY(${lit(schemas)}) AND s.attname = ANY(${lit(columns)}) AND NOT s.inherited GROUP BY 1, 2)
    SELECT coalesce(json_agg(json_build_array(r.nspname, r.relname, r.reltuples,
      (r.relpages + coalesce(t.relpages, 0) + coalesce(idx.pages, 0)) * current_setting('block_size')::int8, st.nf))::text, '[]')
    FROM rels r LEFT JOIN pg_catalog.pg_class t ON t.oid = r.reltoastrelid LEFT JOIN idx ON idx.indrelid = r.oid
    LEFT JOIN st ON st.schemaname = r.nspname AND st.tablename = r.relname`;
  const nodes = await session.query<{ success: boolean; result: string }>(`SELECT success, result FROM pg_catalog.run_command_on_all_nodes($1)`, [command]);
  const seen = new Map<string, { tuples: number; bytes: number; nullFrac: Record<string, number> | null }>();
  for (const node of nodes.rows) {
    if (!node.success) throw new Error(`reading shard statistics failed on a node: ${node.result}`);
    for (const [schema, rel, tuples, bytes, nf] of JSON.parse(node.result) as [string, string, number, number, Record<string, number> | null][]) {
      // A reference table's shard has a copy on every node: any one copy is the table.
      seen.set(`${schema}.${rel}`, { tuples, bytes: Number(bytes), nullFrac: nf });
    }
  }
  const acc = new Map<number, { bytes: number; rows: number; unknown: boolean; nulls: Map<string, number>; reference: boolean }>();
  for (const s of shards.rows) {
    const oid = Number(s.oid);
    const a = acc.get(oid) ?? { bytes: 0, rows: 0, unknown: false, nulls: new Map(), reference: s.reference };
    acc.set(oid, a);
    const f = seen.get(`${s.schema}.${s.name}`);
    if (!f) { a.unknown = true; continue; }
    a.bytes += f.bytes;
    if (f.tuples < 0) a.unknown = true;
    const rows = Math.max(f.tuples, 0);
    a.rows += rows;
    for (const [col, frac] of Object.entries(f.nullFrac ?? {})) a.nulls.set(col, (a.nulls.get(col) ?? 0) + frac * rows);
  }
  for (const [oid, a] of acc) {
    const nullFrac = new Map<string, number>();
    for (const [col, n] of a.nulls) nullFrac.set(col, a.rows > 0 ? n / a.rows : 0);
    out.set(oid, { sizeBytes: a.bytes, estimatedRows: a.unknown ? null : Math.round(a.rows), nullFrac });
  }
  return out;
}
