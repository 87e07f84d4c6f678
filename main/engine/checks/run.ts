/**
 * Run the verification checks on a loaded model: catalog checks, then (exact mode) one scan per
 * tenant table and one join per FK, or (estimate mode) statistics only; optionally the isolation
 * probe. Progress per table; an aborted signal cancels the running server query.
 */
import { CHECK_IDS, CHECKS, type CheckId } from '../../../shared/checks.js';
import type { CheckRun, Finding, ProgressEvent, Skipped, TableFacts } from '../../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { CancelledError, UserError } from '../errors.js';
import { requireCompleteModel, summarizeModel } from '../model/load.js';
import type { Session } from '../session.js';
import { catalogFindings, finding } from './catalog-checks.js';
import { citusFindings } from './citus.js';
import { scanScoped, scanScopedCross, scopedCrossCandidates, scopedNullFinding } from './scoped.js';
import type { KeyCompare } from './tenant-values.js';
import { probeIsolation } from './isolation.js';
import { rlsBypassFindings } from './rls-bypass.js';
import {
  crossTenantCandidates, readTenants, sampleNullRows, sampleOrphanRows, scanCrossTenant, scanTable, unscannableReason, type CrossTenantScan, type TableScan, type TenantDirectory,
} from './scan.js';
import {
  crossTenantEvidence, crossTenantRemedy, nullRowsEvidence, nullRowsRemedy, orphanEvidence, orphanRemedy,
} from './statements.js';

/** How to run the checks. */
export interface CheckOptions {
  mode: 'exact' | 'estimate';
  /** Application role and tenant setting for the isolation probe (both, or neither). */
  rlsRole?: string;
  rlsSetting?: string;
  /** Tenant to impersonate in the probe; default: the first tenant id. */
  rlsTenant?: string;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Called with each table's scan, for callers that also want the distribution. */
  onScan?: (t: TableInfo, scan: TableScan, tenants: TenantDirectory) => void;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Findings in report order: severity, check order, schema, table, constraint. */
export function sortFindings(findings: Finding[]): Finding[] {
  const order = new Map<CheckId, number>(CHECK_IDS.map((id, i) => [id, i]));
  return [...findings].sort((a, b) =>
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    order.get(a.check)! - order.get(b.check)! ||
    a.schema.localeCompare(b.schema) || a.table.localeCompare(b.table) ||
    (a.constraint ?? '').localeCompare(b.constraint ?? ''));
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}


/** Run every check and return the findings with the facts behind them. */
export async function runChecks(session: Session, model: TenancyModel, opts: CheckOptions): Promise<CheckRun> {
  requireCompleteModel(model);
  const startedAt = new Date().toISOString();
  const onAbort = () => void session.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfAborted(opts.signal);
    const findings: Finding[] = [...catalogFindings(model, opts.rlsSetting), ...citusFindings(model)];
    const skipped: Skipped[] = [];
    const facts: TableFacts[] = [];
    const tenantTables = model.tables.filter((t) => t.role === 'tenant' && t.tenantColumn);
    const readable = tenantTables.filter((t) => {
      if (t.readable) return true;
      skipped.push({ schema: t.schema, table: t.table, reason: `permission denied: ${session.fingerprint.user} may not SELECT from it; GRANT SELECT to include it` });
      return false;
    });

    if (opts.mode === 'estimate') {
      estimateRows(readable, findings, facts, skipped);
    } else {
      await exactRows(session, model, readable, findings, facts, skipped, opts);
      await exactScopedRows(session, model, findings, facts, skipped, opts);
    }

    if (opts.rlsRole || opts.rlsSetting) {
      if (!opts.rlsRole || !opts.rlsSetting) throw new UserError('the isolation probe needs both --rls-role and --rls-setting', 'usage');
      await runProbe(session, model, readable, findings, skipped, opts);
    }
    // After the probe, which has checked that the role exists and may be assumed.
    const bypass = await rlsBypassFindings(session, model, opts.rlsRole);
    findings.push(...bypass.findings);
    skipped.push(...bypass.skipped);
    opts.onProgress?.({ phase: 'done', done: 1, total: 1 });
    return {
      mode: opts.mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      database: session.fingerprint,
      model: summarizeModel(model),
      findings: sortFindings(findings),
      tables: facts,
      skipped,
      cancelled: false,
    };
  } catch (err) {
    if (opts.signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function estimateRows(tables: TableInfo[], findings: Finding[], facts: TableFacts[], skipped: Skipped[]): void {
  for (const t of tables) {
    const col = t.tenantColumn!;
    if (t.estimatedRows === null) {
      skipped.push({ schema: t.schema, table: t.table, reason: 'no statistics (never analyzed): run ANALYZE or use exact mode' });
      continue;
    }
    const nulls = col.nullable && col.nullFrac !== null ? Math.round(col.nullFrac * t.estimatedRows) : 0;
    facts.push({ schema: t.schema, table: t.table, rows: t.estimatedRows, nullTenant: nulls, orphanTenant: 0, estimate: true });
    if (nulls > 0) {
      findings.push(finding('null-tenant-rows', t, {
        column: col.name, count: nulls, estimate: true,
        message: `${t.schema}.${t.table}: about ${nulls} rows with NULL ${col.name} (estimate from pg_stats)`,
        sql: nullRowsEvidence(t, col.name),
        remedy: null,
      }));
    }
  }
}


async function exactRows(
  session: Session, model: TenancyModel, tables: TableInfo[], findings: Finding[], facts: TableFacts[], skipped: Skipped[], opts: CheckOptions,
): Promise<void> {
  const tenants = model.tenantTable ? await readTenants(session, model) : null;
  const cmp = keyCompare(session, model);
  const candidates = crossTenantCandidates(model);
  const fks = candidates.filter((c) => tables.includes(c.child) && c.parent.readable);
  const total = tables.length + fks.length;
  let done = 0;
  for (const t of tables) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'table', done, total, schema: t.schema, table: t.table });
    const col = t.tenantColumn!.name;
    let scan: TableScan;
    try {
      scan = await scanTable(session, t, col, tenants, cmp);
    } catch (err) {
      const reason = unscannableReason(err);
      if (!reason) throw err;
      skipped.push({ schema: t.schema, table: t.table, reason });
      done += 1;
      continue;
    }
    done += 1;
    const invalidRows = [...scan.invalid.values()].reduce((a, b) => a + b, 0);
    const orphanRows = [...scan.orphans.values()].reduce((a, b) => a + b, 0) + invalidRows;
    facts.push({ schema: t.schema, table: t.table, rows: scan.rows, nullTenant: scan.nullTenant, orphanTenant: orphanRows, estimate: false });
    if (tenants) opts.onScan?.(t, scan, tenants);
    if (scan.nullTenant > 0) {
      findings.push(finding('null-tenant-rows', t, {
        column: col, count: scan.nullTenant, sample: await sampleNullRows(session, t, col),
        message: `${t.schema}.${t.table}: ${scan.nullTenant} of ${scan.rows} rows have NULL ${col}`,
        sql: nullRowsEvidence(t, col),
        remedy: nullRowsRemedy(t, col, candidates.filter((c) => c.child === t)),
      }));
    }
    if (orphanRows > 0 && model.tenantTable) {
      const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
      const ids = top(scan.orphans);
      const bad = top(scan.invalid);
      const parts = [
        ...(ids.length > 0 ? [`${orphanRows - invalidRows} rows point at ${ids.length} tenant id(s) missing from ${model.tenantTable.table} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''})`] : []),
        ...(bad.length > 0 ? [`${invalidRows} rows hold ${bad.length} invalid tenant value(s), not a valid ${model.tenantTable.keyType} (${bad.slice(0, 3).map((v) => JSON.stringify(v)).join(', ')}${bad.length > 3 ? ', ...' : ''})`] : []),
      ];
      findings.push(finding('orphan-tenant-rows', t, {
        column: col, count: orphanRows, sample: await sampleOrphanRows(session, t, col, scan.orphanValues),
        message: `${t.schema}.${t.table}: ${parts.join('; ')}`,
        sql: orphanEvidence(t, col, model.tenantTable, cmp.serverVersionNum),
        remedy: orphanRemedy(t, col, model.tenantTable, cmp.serverVersionNum),
      }));
    }
  }
  for (const c of fks) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'foreign-key', done, total, schema: c.child.schema, table: c.child.table, constraint: c.fk.name });
    done += 1;
    let res: CrossTenantScan;
    try {
      res = await scanCrossTenant(session, c.child, c.parent, c.fk, c.childCol, c.parentCol, cmp);
    } catch (err) {
      const reason = unscannableReason(err);
      if (!reason) throw err;
      skipped.push({ schema: c.child.schema, table: c.child.table, constraint: c.fk.name, reason });
      continue;
    }
    if (res.count > 0) {
      findings.push(finding('cross-tenant-reference', c.child, {
        constraint: c.fk.name, column: c.childCol, count: res.count, sample: res.sample,
        message: `${c.child.schema}.${c.child.table} -> ${c.parent.schema}.${c.parent.table} (${c.fk.name}): ${res.count} rows whose ${c.childCol} differs from the parent's`,
        sql: crossTenantEvidence(c.child, c.parent, c.fk, c.childCol, c.parentCol, cmp),
        remedy: crossTenantRemedy(c.child, c.parent, c.fk, c.childCol, c.parentCol, cmp),
      }));
    }
  }
}

/** Tables scoped through a parent: one pass each along the path, one join per FK to another tenant-scoped table. */
async function exactScopedRows(
  session: Session, model: TenancyModel, findings: Finding[], facts: TableFacts[], skipped: Skipped[], opts: CheckOptions,
): Promise<void> {
  const scopedTables = model.tables.filter((t) => t.role === 'scoped' && t.tenantPath);
  const readable = (t: TableInfo) => t.readable;
  for (const t of scopedTables.filter((x) => !readable(x))) {
    skipped.push({ schema: t.schema, table: t.table, reason: `permission denied: ${session.fingerprint.user} may not SELECT from it; GRANT SELECT to include it` });
  }
  const cands = scopedCrossCandidates(model).filter((c) => readable(c.child) && readable(c.parent));
  if (scopedTables.length === 0 && cands.length === 0) return;
  const tenants = await readTenants(session, model);
  const cmp = keyCompare(session, model);
  const tables = scopedTables.filter(readable);
  const total = tables.length + cands.length;
  let done = 0;
  const skip = (err: unknown, t: TableInfo, constraint?: string) => {
    const reason = unscannableReason(err);
    if (!reason) throw err;
    skipped.push({ schema: t.schema, table: t.table, ...(constraint ? { constraint } : {}), reason });
  };
  for (const t of tables) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'table', done: done++, total, schema: t.schema, table: t.table });
    try {
      const scan = await scanScoped(session, model, t, tenants, cmp);
      facts.push({ schema: t.schema, table: t.table, rows: scan.rows, nullTenant: scan.nullTenant, orphanTenant: 0, estimate: false });
      opts.onScan?.(t, scan, tenants);
      if (scan.nullTenant > 0) findings.push(await scopedNullFinding(session, model, t, scan));
    } catch (err) {
      skip(err, t);
    }
  }
  for (const c of cands) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'foreign-key', done: done++, total, schema: c.child.schema, table: c.child.table, constraint: c.fk.name });
    try {
      const f = await scanScopedCross(session, model, c, cmp);
      if (f) findings.push(f);
    } catch (err) {
      skip(err, c.child, c.fk.name);
    }
  }
}

async function runProbe(
  session: Session, model: TenancyModel, tables: TableInfo[], findings: Finding[], skipped: Skipped[], opts: CheckOptions,
): Promise<void> {
  let tenant = opts.rlsTenant;
  if (!tenant) {
    const dir = model.tenantTable ? await readTenants(session, model) : new Map<string, string | null>();
    tenant = [...dir.keys()].sort()[0];
  }
  if (!tenant) {
    skipped.push({ schema: '', table: '', reason: 'isolation probe: no tenant to impersonate (empty tenant table); give --rls-tenant' });
    return;
  }
  const keyType = keyCompare(session, model).keyType;
  try {
    // The key's own text form: an upper-case uuid given on the command line is the same tenant.
    const { rows } = await session.query<{ v: string }>(`SELECT ($1)::${keyType}::text AS v`, [tenant]);
    tenant = rows[0]!.v;
  } catch (err) {
    throw new UserError(`--rls-tenant ${tenant} is not a valid ${keyType} (the type of ${model.tenantTable?.schema}.${model.tenantTable?.table}.${model.tenantTable?.keyColumn}): ${(err as Error).message}`, 'usage');
  }
  let done = 0;
  const res = await probeIsolation(session, tables, { role: opts.rlsRole!, setting: opts.rlsSetting!, tenant, cmp: keyCompare(session, model) }, (t) => {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'probe', done: done++, total: tables.length, schema: t.schema, table: t.table });
  });
  findings.push(...res.findings);
  skipped.push(...res.skipped);
  // Said, not silently passed: the probe does not read tables scoped through a parent yet.
  for (const t of model.tables.filter((x) => x.role === 'scoped' && x.readable)) {
    skipped.push({ schema: t.schema, table: t.table, reason: 'isolation probe: scoped through a parent; not probed (its policy is checked by rls-disabled, rls-not-forced, rls-no-policy)' });
  }
}

/** How tenant values compare in this run: in the tenant key's type, on this server. */
export function keyCompare(session: Session, model: TenancyModel): KeyCompare {
  return { keyType: model.tenantTable?.keyType ?? 'text', serverVersionNum: session.fingerprint.serverVersionNum };
}

/** Whether a run has error-severity findings (CLI exit code 1). */
export function hasErrors(run: CheckRun): boolean {
  return run.findings.some((f) => CHECKS[f.check].severity === 'error' && !f.accepted);
}
