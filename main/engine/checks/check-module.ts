/**
 * What one check is: its contract entry (id, severity, title, why, one line for docs/checks.md),
 * what it reads (the model, or one of the shared passes the planner in scan.ts runs once for all
 * checks) and its finder, which builds each finding with its evidence query and remedy. Every
 * check is one module in defs/, listed in registry.ts.
 */
import { CHECKS, type CheckId, type CheckKind, type CheckNeed, type Severity } from '../../../shared/checks.js';
import type { Finding } from '../../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import type { Session } from '../session.js';
import type { ProbeHit, ProbeOptions } from './isolation.js';
import type { BypassFacts } from './rls-bypass.js';
import type { CrossTenantScan, FkTarget, TableScan, TenantDirectory } from './scan.js';
import type { KeyCompare } from './tenant-values.js';

/** The contract half of a check (shared/check-catalog.ts is generated from these). */
export interface CheckMeta {
  id: CheckId;
  severity: Severity;
  kind: CheckKind;
  title: string;
  /** Why it matters: shown with every finding. */
  why: string;
  /** What it finds: the row of the table in docs/checks.md (markdown). */
  finds: string;
}

/**
 * What a check reads. `model`: the loaded model only. `table-scan`: the one pass per tenant or
 * scoped table. `fk-scan`: the one join per foreign key between tenant-scoped tables.
 * `rls-catalog`: the catalog reads of partitions, views and definer functions over RLS tables.
 * `probe`: the isolation probe's reads as the application role.
 */
export type { CheckNeed };

/** What every finder may read. */
export interface ModelContext {
  model: TenancyModel;
  /** The tenant setting named in suggested policies. */
  rlsSetting: string;
  /** The SQL type of the tenant key, used in suggested DDL. */
  keyType: string;
}

/** What a finder over a scan result may read (it may also query, e.g. for samples). */
export interface ScanContext extends ModelContext {
  session: Session;
  cmp: KeyCompare;
  tenants: TenantDirectory | null;
}

/** What a finder over the RLS catalog reads may read. */
export interface RlsCatalogContext {
  model: TenancyModel;
  /** The application role; undefined: who may read an object is unknown (listed as not checked). */
  role: string | undefined;
  serverVersionNum: number;
  /** List an object under "Not checked" because the app role is not known. */
  unknown(schema: string, table: string, what: string): void;
}

interface Base<N extends CheckNeed> extends CheckMeta {
  needs: N;
}

/** A check answered from the model: the findings of one table. */
export interface ModelCheck extends Base<'model'> {
  find(ctx: ModelContext, t: TableInfo): Finding[];
}

/** A check over each table's one pass (and, in estimate mode, its statistics). */
export interface TableScanCheck extends Base<'table-scan'> {
  find(ctx: ScanContext, t: TableInfo, scan: TableScan): Promise<Finding | null>;
  /** Estimate mode: from pg_stats, no scan; absent when the check needs exact mode. */
  estimate?(ctx: ModelContext, t: TableInfo, rows: number): Finding | null;
}

/** A check over the one join per foreign key. */
export interface FkScanCheck extends Base<'fk-scan'> {
  find(ctx: ScanContext, target: FkTarget, res: CrossTenantScan): Finding | null;
}

/** A check over the catalog reads around RLS. */
export interface RlsCatalogCheck extends Base<'rls-catalog'> {
  find(ctx: RlsCatalogContext, facts: BypassFacts): Finding[];
}

/** A check over what the isolation probe saw in one relation. */
export interface ProbeCheck extends Base<'probe'> {
  find(probe: ProbeOptions, hit: ProbeHit): Finding;
}

/** One check. */
export type CheckModule = ModelCheck | TableScanCheck | FkScanCheck | RlsCatalogCheck | ProbeCheck;

/** Build a finding with the check's severity. */
export function finding(check: CheckId, t: { schema: string; table: string }, fields: Omit<Finding, 'check' | 'severity' | 'schema' | 'table'>): Finding {
  return { check, severity: CHECKS[check].severity, schema: t.schema, table: t.table, ...fields };
}
