/**
 * The shared scan planner of exact runs: one GROUP BY pass per tenant table gives its total,
 * NULL-tenant, orphan and per-tenant counts at once (scoped tables: one pass along their path,
 * scoped.ts); one join per FK finds cross-tenant references. Checks declare which of these passes
 * they read (check-module.ts) and never issue their own scan; they read samples only where a
 * count is not zero.
 */
import type { ForeignKey, TableInfo, TenancyModel } from '../../../shared/model.js';
import type { SampleRow } from '../../../shared/findings.js';
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { scopedCrossCandidates } from './scoped.js';
import { fkJoin, sampleSelect } from './statements.js';
import { passGroups, passSql, type Groups } from './groups.js';
import { asKeyType, sameType, tenantsDiffer, type KeyCompare } from './tenant-values.js';

/** How many sample rows a finding carries. */
export const SAMPLE_SIZE = 5;

/**
 * The LIMIT of a sample read when the pass counted `count` matching rows: a read that has found
 * them all stops there instead of scanning on for rows that do not exist.
 */
export const sampleLimit = (count: number): number => Math.max(1, Math.min(SAMPLE_SIZE, count));

/** The tenants: id (as text) to display name. */
export type TenantDirectory = Map<string, string | null>;

/** Read every tenant id and name from the tenant table. */
export async function readTenants(session: Session, model: TenancyModel): Promise<TenantDirectory> {
  const tt = model.tenantTable;
  const dir: TenantDirectory = new Map();
  if (!tt) return dir;
  const name = tt.nameColumn ? `${quoteIdent(tt.nameColumn)}::text` : 'NULL::text';
  const { rows } = await session.query<{ id: string; name: string | null }>(
    `SELECT ${quoteIdent(tt.keyColumn)}::text AS id, ${name} AS name FROM ${qualified(tt.schema, tt.table)}`,
  );
  for (const r of rows) dir.set(r.id, r.name);
  return dir;
}

/** What one pass over a tenant table found. */
export interface TableScan {
  rows: number;
  nullTenant: number;
  /** Rows per tenant id (the key's text form), known tenants and missing ones alike. */
  perTenant: Map<string, number>;
  /** Rows per tenant id that is not in the tenant table. */
  orphans: Map<string, number>;
  /** Rows per stored value that is not a valid tenant key at all (does not cast to the key's type). */
  invalid: Map<string, number>;
  /** The stored values (as text) of the orphan and invalid rows, for sampling them. */
  orphanValues: string[];
}

/**
 * One pass: SELECT tenant, count(*) GROUP BY tenant. When the column's type differs from the
 * key's, the distinct values are cast to the key's type (upper-case uuid text is the same tenant).
 */
export async function scanTable(session: Session, t: TableInfo, column: string, tenants: TenantDirectory | null, cmp?: KeyCompare): Promise<TableScan> {
  const { rows } = await session.query(scanTableSql(t, column, cmp));
  return tallyGroups(passGroups(t, rows), tenants);
}

/**
 * The one-pass GROUP BY of `scanTable`, its groups as one row (groups.ts). On Citus, a row per
 * group: a table distributed by `column` gets the whole GROUP BY pushed down, each worker
 * grouping its own shards and the coordinator only concatenating.
 */
export function scanTableSql(t: TableInfo, column: string, cmp?: KeyCompare): string {
  const c = quoteIdent(column);
  const colType = t.tenantColumn?.name === column ? t.tenantColumn.type : 'text';
  const converted = cmp && !sameType(colType, cmp.keyType);
  // The stored value is the tenant itself unless converted: one column, not the same text twice per group.
  const inner = converted
    ? `SELECT ${asKeyType('s.v', colType, cmp.keyType, cmp.serverVersionNum)}::text AS tenant, s.v::text AS raw, s.n FROM ` +
      `(SELECT ${c} AS v, count(*) AS n FROM ${qualified(t.schema, t.table)} GROUP BY ${c}) s`
    : `SELECT ${c}::text AS tenant, count(*) AS n FROM ${qualified(t.schema, t.table)} GROUP BY ${c}`;
  return passSql(t, inner, Boolean(converted));
}

/**
 * Fold a pass's groups into a TableScan. A group without a raw value stored the tenant's own
 * text (a column of the key's type).
 */
export function tallyGroups(groups: Groups, tenants: TenantDirectory | null): TableScan {
  const scan: TableScan = { rows: 0, nullTenant: 0, perTenant: new Map(), orphans: new Map(), invalid: new Map(), orphanValues: [] };
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  const { perTenant } = scan;
  const { tenant: tenantOf, raw: rawOf, n: countOf } = groups;
  // A loop without allocations: a pass over a table of a thousand tenants folds a thousand groups.
  for (let i = 0; i < tenantOf.length; i += 1) {
    const tenant = tenantOf[i]!;
    const raw = rawOf === null ? tenant : rawOf[i]!;
    const n = countOf[i]!;
    scan.rows += n;
    if (raw === null) {
      scan.nullTenant += n;
      continue;
    }
    if (tenant === null) {
      add(scan.invalid, raw, n);
      scan.orphanValues.push(raw);
      continue;
    }
    const before = perTenant.get(tenant);
    perTenant.set(tenant, before === undefined ? n : before + n);
    if (tenants && !tenants.has(tenant)) {
      add(scan.orphans, tenant, n);
      scan.orphanValues.push(raw);
    }
  }
  return scan;
}

/** Cross-tenant rows of one FK: the count and up to two sample rows. */
export interface CrossTenantScan {
  count: number;
  sample: SampleRow[];
}

/** A tid's text "(block,offset)" as numbers, for picking the first and last of several. */
function tidOrder(tid: string): [number, number] {
  const [b, o] = tid.slice(1, -1).split(',');
  return [Number(b), Number(o)];
}

function tidLess(a: string, b: string): boolean {
  const [ab, ao] = tidOrder(a);
  const [bb, bo] = tidOrder(b);
  return ab < bb || (ab === bb && ao < bo);
}

/**
 * One pass over a tenant table that also answers its FKs to other tenant tables: the table's
 * GROUP BY tenant with each FK's parent LEFT JOINed (an FK references a unique key, so no join
 * adds rows) and, per FK, the count and first/last ctid of the rows whose parent has another
 * tenant. Same answers as scanTable plus scanCrossTenant per FK, with the child read once instead
 * of once per FK more. Only for a tenant column of the key's own type (else scanTable's cast).
 * With `ctids` false (small tables, see foldFks) the pass counts only, and an FK whose count is
 * not zero is answered again by scanCrossTenant, which is cheap on a small table and gives the
 * count and samples of one statement.
 */
export async function scanTableWithFks(
  session: Session, t: TableInfo, fks: readonly TenantFkTarget[], tenants: TenantDirectory | null, cmp?: KeyCompare, ctids = true,
): Promise<{ scan: TableScan; crossTenant: CrossTenantScan[] }> {
  const c = quoteIdent(t.tenantColumn!.name);
  const joins = fks.map((f, i) => ` LEFT JOIN ${qualified(f.parent.schema, f.parent.table)} p${i} ON ${fkJoin(f.fk, `p${i}`)}`).join('');
  const differs = fks.map((f, i) => tenantsDiffer(f.child, f.parent, f.childCol, f.parentCol, cmp, `p${i}`));
  const perFk = differs.map((d, i) => `, count(*) FILTER (WHERE ${d}) AS x${i}` +
    (ctids ? `, min(c.ctid) FILTER (WHERE ${d}) AS f${i}, max(c.ctid) FILTER (WHERE ${d}) AS l${i}` : '')).join('');
  const inner = `SELECT c.${c}::text AS tenant, count(*) AS n${perFk} FROM ${qualified(t.schema, t.table)} c${joins} GROUP BY c.${c}`;
  // One row: the groups, and each FK's count (and first and last ctid) over all groups.
  const totals = fks.flatMap((_, i) => [`sum(g.x${i})::int8 AS x${i}`, ...(ctids ? [`min(g.f${i})::text AS f${i}`, `max(g.l${i})::text AS l${i}`] : [])]);
  const { rows } = await session.query(passSql(t, inner, false, totals));
  const scan = tallyGroups(passGroups(t, rows), tenants);
  const crossTenant: CrossTenantScan[] = [];
  for (const [i, f] of fks.entries()) {
    if (!ctids) {
      const found = rows.some((r) => Number(r[`x${i}`] ?? 0) > 0);
      crossTenant.push(found ? await scanCrossTenant(session, f.child, f.parent, f.fk, f.childCol, f.parentCol, cmp) : { count: 0, sample: [] });
      continue;
    }
    let count = 0;
    let first: string | null = null;
    let last: string | null = null;
    // One row, or (on Citus) a row per group: the first and last ctid by position over all of them.
    for (const r of rows) {
      count += Number(r[`x${i}`] ?? 0);
      const fi = (r[`f${i}`] as string | null) ?? null;
      const li = (r[`l${i}`] as string | null) ?? null;
      if (fi !== null && (first === null || tidLess(fi, first))) first = fi;
      if (li !== null && (last === null || tidLess(last, li))) last = li;
    }
    crossTenant.push(count === 0 ? { count: 0, sample: [] } : { count, sample: await sampleCrossTenant(session, f, [first, last], cmp) });
  }
  return { scan, crossTenant };
}

/**
 * Rows per tenant below which a table's FKs are not folded into its pass with their ctids (a
 * small table may still fold in their counts: foldFks). Folding the joins into the pass saves
 * one read of the table but aggregates every joined row with the FKs' counts: measured on 2
 * cores with a row per group, it paid at about 1,250 rows per tenant (0.91x the separate passes),
 * broke even near 300 and cost 1.5x at 2 (a small table, a group per row).
 */
export const JOIN_IN_PASS_MIN_ROWS_PER_TENANT = 500;

/** A tenant column of the key's own type: what scanTableWithFks compares without a cast. */
const tenantColumnOfKeyType = (t: TableInfo, cmp?: KeyCompare): boolean =>
  Boolean(t.tenantColumn) && !(cmp && !sameType(t.tenantColumn!.type, cmp.keyType));

/**
 * Whether scanTableWithFks should answer this table with the first and last ctids: its tenant
 * column is of the key's type, and it is large enough per tenant (statistics; a table never
 * analyzed counts as large) that one pass beats a pass plus a join per FK.
 */
export function canScanWithFks(t: TableInfo, cmp?: KeyCompare, tenants?: number): boolean {
  if (!tenantColumnOfKeyType(t, cmp)) return false;
  return t.estimatedRows === null || t.estimatedRows < 0 || tenants === undefined ||
    t.estimatedRows >= JOIN_IN_PASS_MIN_ROWS_PER_TENANT * Math.max(1, tenants);
}

/**
 * Size under which a table's pass folds in its FKs' counts only (see foldFks): the default
 * min_parallel_table_scan_size, so a join run again for a finding's samples reads a few MB.
 */
export const COUNT_FOLD_MAX_BYTES = 8 * 1024 * 1024;

/** Analyzed, not on Citus, and under COUNT_FOLD_MAX_BYTES: a table whose join costs little to run again. */
const smallForCountFold = (t: TableInfo): boolean =>
  t.estimatedRows !== null && t.estimatedRows >= 0 && (t.citus ?? null) === null && t.sizeBytes < COUNT_FOLD_MAX_BYTES;

/**
 * Which of `fks` (the FKs of `t` to other tenant tables) its own pass answers, and how:
 * - all of them with the first and last ctids, when canScanWithFks;
 * - else, on a small table, those to small parents, by count only (`ctids` false): measured on
 *   2 cores with each pass's groups as one row, 0.83 to 0.91x a pass plus a join per FK at 2 to
 *   300 rows per tenant, where the pass with ctids was 0.90 to 1.02x;
 * - else none (one join per FK).
 */
export function foldFks(t: TableInfo, fks: readonly TenantFkTarget[], cmp?: KeyCompare, tenants?: number): { joined: TenantFkTarget[]; ctids: boolean } {
  if (fks.length === 0) return { joined: [], ctids: true };
  if (canScanWithFks(t, cmp, tenants)) return { joined: [...fks], ctids: true };
  if (!tenantColumnOfKeyType(t, cmp) || !smallForCountFold(t)) return { joined: [], ctids: true };
  return { joined: fks.filter((f) => smallForCountFold(f.parent)), ctids: false };
}

/** The sample rows of a cross-tenant FK, fetched by the ctids of the first and last mismatching rows. */
async function sampleCrossTenant(session: Session, f: TenantFkTarget, tids: (string | null)[], cmp?: KeyCompare): Promise<SampleRow[]> {
  const { child, parent, fk, childCol, parentCol } = f;
  const differs = tenantsDiffer(child, parent, childCol, parentCol, cmp);
  const from = `FROM ${qualified(child.schema, child.table)} c JOIN ${qualified(parent.schema, parent.table)} p ON ${fkJoin(fk)} `;
  const ctids = [...new Set(tids.filter((x): x is string => x !== null))];
  const parentKey = fk.refColumns.map((col) => `p.${quoteIdent(col)}::text AS ${quoteIdent(`parent.${col}`)}`).join(', ');
  const sample = await session.query<SampleRow>(
    `SELECT ${sampleSelect(child, 'c')}, c.${quoteIdent(childCol)}::text AS ${quoteIdent(childCol)}, ${parentKey}, p.${quoteIdent(parentCol)}::text AS ${quoteIdent(`parent.${parentCol}`)} ` +
      `${from}WHERE c.ctid = ANY($1::tid[]) AND ${differs} ORDER BY c.ctid`,
    [ctids],
  );
  return sample.rows;
}

/**
 * One plain aggregate join per FK: count(*) plus min/max(ctid) of the mismatching child rows, which
 * PostgreSQL runs in parallel like a bare count. The two ctids are then fetched by TID (the first
 * and last mismatching rows by position), so sampling costs no second pass over the join.
 */
export async function scanCrossTenant(
  session: Session, child: TableInfo, parent: TableInfo, fk: ForeignKey, childCol: string, parentCol: string, cmp?: KeyCompare,
): Promise<CrossTenantScan> {
  const differs = tenantsDiffer(child, parent, childCol, parentCol, cmp);
  const from = `FROM ${qualified(child.schema, child.table)} c JOIN ${qualified(parent.schema, parent.table)} p ON ${fkJoin(fk)} `;
  const { rows } = await session.query<{ n: string; first: string | null; last: string | null }>(
    `SELECT count(*) AS n, min(c.ctid)::text AS first, max(c.ctid)::text AS last ${from}WHERE ${differs}`,
  );
  const count = Number(rows[0]?.n ?? 0);
  if (count === 0) return { count: 0, sample: [] };
  return { count, sample: await sampleCrossTenant(session, { kind: 'tenant', child, parent, fk, childCol, parentCol }, [rows[0]!.first, rows[0]!.last], cmp) };
}

/**
 * Why a table scan failed in a way that skips the table rather than the run (permission denied,
 * table vanished, lock held past lock_timeout, statement_timeout), or null for any other error.
 */
export function unscannableReason(err: unknown): string | null {
  const code = (err as { code?: string }).code;
  if (code === '42501') return `${(err as Error).message}; GRANT SELECT to the connecting role to include it`;
  if (code === '42P01') return `table vanished during the run: ${(err as Error).message}`;
  if (code === '55P03') return `another session held a lock longer than lock_timeout: ${(err as Error).message}; retry, or see pg_locks`;
  if (code === '57014') return `statement_timeout reached: ${(err as Error).message}; raise the profile's statement timeout for exact checks`;
  return null;
}

/** An FK between two tenant tables (both carry the tenant column): compared column to column. */
export interface TenantFkTarget {
  kind: 'tenant';
  child: TableInfo;
  parent: TableInfo;
  fk: ForeignKey;
  childCol: string;
  parentCol: string;
}

/** An FK where child or parent is scoped through a path: compared along the paths. */
export interface ScopedFkTarget {
  kind: 'scoped';
  child: TableInfo;
  parent: TableInfo;
  fk: ForeignKey;
}

/** One FK join of the plan. */
export type FkTarget = TenantFkTarget | ScopedFkTarget;

/** FKs whose child and parent both carry the tenant column and are not already tenant-scoped. */
export function crossTenantCandidates(model: TenancyModel): TenantFkTarget[] {
  const out: TenantFkTarget[] = [];
  const byName = new Map(model.tables.map((t) => [`${t.schema}\0${t.table}`, t]));
  for (const child of model.tables) {
    if (child.role !== 'tenant' || !child.tenantColumn) continue;
    for (const fk of child.foreignKeys) {
      const parent = byName.get(`${fk.refSchema}\0${fk.refTable}`);
      if (!parent || parent.role !== 'tenant' || !parent.tenantColumn) continue;
      const childCol = child.tenantColumn.name;
      const parentCol = parent.tenantColumn.name;
      const idx = fk.columns.indexOf(childCol);
      if (idx >= 0 && fk.refColumns[idx] === parentCol) continue;
      out.push({ kind: 'tenant', child, parent, fk, childCol, parentCol });
    }
  }
  return out;
}

/**
 * The passes of an exact run, in the order they run: tenant tables, FKs between them, tables
 * scoped through a parent, FKs along paths. Tables the connecting role cannot read are listed
 * apart (not checked), and FKs touching them are left out of the passes: those of a readable
 * child to an unreadable parent are listed apart too (the child's table is checked, its FK not).
 */
export interface ScanPlan {
  tenantTables: TableInfo[];
  unreadableTenantTables: TableInfo[];
  tenantFks: TenantFkTarget[];
  scopedTables: TableInfo[];
  unreadableScopedTables: TableInfo[];
  scopedFks: ScopedFkTarget[];
  /** FKs of a readable child whose parent the role cannot read: not checked. */
  unreadableParentFks: FkTarget[];
}

/** Plan the shared passes for a model. */
export function planScans(model: TenancyModel): ScanPlan {
  const tenant = model.tables.filter((t) => t.role === 'tenant' && t.tenantColumn);
  const scoped = model.tables.filter((t) => t.role === 'scoped' && t.tenantPath);
  const tenantTables = tenant.filter((t) => t.readable);
  const tenantCandidates = crossTenantCandidates(model).filter((c) => tenantTables.includes(c.child));
  const scopedCandidates = scopedCrossCandidates(model).filter((c) => c.child.readable);
  return {
    tenantTables,
    unreadableTenantTables: tenant.filter((t) => !t.readable),
    tenantFks: tenantCandidates.filter((c) => c.parent.readable),
    scopedTables: scoped.filter((t) => t.readable),
    unreadableScopedTables: scoped.filter((t) => !t.readable),
    scopedFks: scopedCandidates.filter((c) => c.parent.readable),
    unreadableParentFks: [...tenantCandidates, ...scopedCandidates].filter((c) => !c.parent.readable),
  };
}
