/**
 * Run the registered checks on a loaded model: model checks, then (exact mode) the passes the
 * planner in scan.ts lays out, each handed to the checks that read it, or (estimate mode)
 * statistics only; optionally the isolation probe; then the catalog reads around RLS. Progress
 * per table; an aborted signal cancels the running server query.
 */
import { CHECK_IDS, CHECKS, type CheckId } from '../../../shared/checks.js';
import type { CheckRun, Finding, ProgressEvent, Skipped, TableFacts } from '../../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { CancelledError, UserError } from '../errors.js';
import { requireCompleteModel, summarizeModel } from '../model/load.js';
import type { Session } from '../session.js';
import { catalogFindings, modelContext } from './catalog-checks.js';
import type { ScanContext } from './check-module.js';
import { probeIsolation, relationTargets, tableTarget, type ProbeOptions } from './isolation.js';
import { checksNeeding } from './registry.js';
import { readBypassFacts } from './rls-bypass.js';
import {
  foldFks, planScans, readTenants, scanCrossTenant, scanTable, scanTableWithFks, unscannableReason,
  type CrossTenantScan, type FkTarget, type ScanPlan, type TableScan, type TenantDirectory, type TenantFkTarget,
} from './scan.js';
import { isSerialPass, PAIR_MIN_SCAN_MULTIPLE, pairLargePasses, passBytes, POOL_MIN_PASSES, readParallelLimits, runPooled, withoutParallelWorkers } from './pass-pool.js';
import { SampleLane } from './sample-lane.js';
import { scanScoped, scanScopedCross } from './scoped.js';
import { membershipTable, pickMember } from './supabase-member.js';
import type { KeyCompare } from './tenant-values.js';

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

/** The order of String.prototype.localeCompare() with no arguments, without building it per call. */
const byLocale = new Intl.Collator().compare;

/** Findings in report order: severity, check order, schema, table, constraint. */
export function sortFindings(findings: Finding[]): Finding[] {
  const order = new Map<CheckId, number>(CHECK_IDS.map((id, i) => [id, i]));
  return [...findings].sort((a, b) =>
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    order.get(a.check)! - order.get(b.check)! ||
    byLocale(a.schema, b.schema) || byLocale(a.table, b.table) ||
    byLocale(a.constraint ?? '', b.constraint ?? ''));
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
    const findings: Finding[] = catalogFindings(model, opts.rlsSetting);
    const skipped: Skipped[] = [];
    const facts: TableFacts[] = [];
    const plan = planScans(model);
    for (const t of plan.unreadableTenantTables) skipped.push(unreadable(session, t));

    if (opts.mode === 'estimate') {
      estimateRows(model, plan.tenantTables, findings, facts, skipped, opts);
    } else {
      const lane = new SampleLane(session);
      const cancelLane = () => void lane.cancel();
      opts.signal?.addEventListener('abort', cancelLane, { once: true });
      try {
        await exactRows(session, lane, model, plan, findings, facts, skipped, opts);
        await lane.drain();
      } finally {
        opts.signal?.removeEventListener('abort', cancelLane);
        await lane.close();
      }
    }

    if (opts.rlsRole || opts.rlsSetting) {
      // On Supabase, --rls-role authenticated (or anon) alone probes as a member (or as nobody).
      if (!opts.rlsRole || (!opts.rlsSetting && !supabaseCaller(model, opts.rlsRole))) {
        throw new UserError(`the isolation probe needs both --rls-role and --rls-setting${model.platform === 'supabase' ? ' (on Supabase, --rls-role authenticated alone probes as a member)' : ''}`, 'usage');
      }
      await runProbe(session, model, plan.tenantTables, findings, skipped, opts);
    }
    // After the probe, which has checked that the role exists and may be assumed.
    await runRlsCatalogChecks(session, model, opts.rlsRole, findings, skipped);
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

/** What to fix when the role may not read a table. */
const mayNotSelect = (session: Session): string => `${session.fingerprint.user} may not SELECT from it; GRANT SELECT to include it`;

function unreadable(session: Session, t: TableInfo): Skipped {
  return { schema: t.schema, table: t.table, reason: `permission denied: ${mayNotSelect(session)}` };
}

function estimateRows(model: TenancyModel, tables: TableInfo[], findings: Finding[], facts: TableFacts[], skipped: Skipped[], opts: CheckOptions): void {
  const ctx = modelContext(model, opts.rlsSetting);
  const checks = checksNeeding('table-scan');
  for (const t of tables) {
    const col = t.tenantColumn!;
    if (t.estimatedRows === null) {
      skipped.push({ schema: t.schema, table: t.table, reason: 'no statistics (never analyzed): run ANALYZE or use exact mode' });
      continue;
    }
    const nulls = col.nullable && col.nullFrac !== null ? Math.round(col.nullFrac * t.estimatedRows) : 0;
    facts.push({ schema: t.schema, table: t.table, rows: t.estimatedRows, nullTenant: nulls, orphanTenant: 0, estimate: true });
    for (const c of checks) {
      const f = c.estimate?.(ctx, t, t.estimatedRows);
      if (f) findings.push(f);
    }
  }
}

/**
 * The exact passes, in plan order: each tenant table once, each FK between tenant tables, each
 * scoped table along its path, each FK along paths. Each result goes to the checks that read it;
 * a table with rows to show has its sample rows read on the lane, while the next pass runs.
 * Passes over small tables (serial on the server, pass-pool.ts) run two at once, on the main
 * session and the lane's, each reading its own samples; the facts and skips are reported in plan
 * order whichever finished first. A table that cannot be read (permission, vanished, lock or
 * statement timeout) is not checked; the rest still runs.
 */
async function exactRows(
  session: Session, lane: SampleLane, model: TenancyModel, plan: ScanPlan, findings: Finding[], facts: TableFacts[], skipped: Skipped[], opts: CheckOptions,
): Promise<void> {
  const tableChecks = checksNeeding('table-scan');
  const fkChecks = checksNeeding('fk-scan');
  const cmp = keyCompare(session, model);
  /** What one pass reports besides findings, kept apart so that passes run at once report in plan order. */
  interface PassOut { facts: TableFacts[]; skipped: Skipped[]; separate: TenantFkTarget[] }
  const newOut = (): PassOut => ({ facts: [], skipped: [], separate: [] });
  /** List `t` (or its FK `constraint`) as not checked for `err`, and return the reason; rethrow any other error. */
  const skip = (out: PassOut, err: unknown, t: TableInfo, constraint?: string): string => {
    const reason = unscannableReason(err);
    if (!reason) throw err;
    out.skipped.push({ schema: t.schema, table: t.table, ...(constraint ? { constraint } : {}), reason });
    return reason;
  };
  /** `inline`: the samples are read on `s` now (a pooled pass) rather than on the lane. */
  const onTable = async (out: PassOut, ctx: ScanContext, t: TableInfo, scan: TableScan, orphanRows: number, inline?: Session) => {
    out.facts.push({ schema: t.schema, table: t.table, rows: scan.rows, nullTenant: scan.nullTenant, orphanTenant: orphanRows, estimate: false });
    if (ctx.tenants) opts.onScan?.(t, scan, ctx.tenants);
    // Nothing to show: the checks answer from the counts alone, without a read.
    const toShow = scan.nullTenant > 0 || orphanRows > 0;
    for (const c of tableChecks) {
      if (!toShow || inline) {
        const f = await c.find(inline ? { ...ctx, session: inline } : ctx, t, scan);
        if (f) findings.push(f);
        continue;
      }
      void lane.run(async (s) => {
        const f = await c.find({ ...ctx, session: s }, t, scan);
        if (f) findings.push(f);
      });
    }
  };
  const onFk = async (out: PassOut, ctx: ScanContext, target: FkTarget, scan: () => Promise<CrossTenantScan>, progress: () => void) => {
    throwIfAborted(opts.signal);
    progress();
    let res: CrossTenantScan;
    try {
      res = await scan();
    } catch (err) {
      skip(out, err, target.child, target.fk.name);
      return;
    }
    for (const c of fkChecks) {
      const f = c.find(ctx, target, res);
      if (f) findings.push(f);
    }
  };
  const context = (tenants: TenantDirectory | null): ScanContext => ({ ...modelContext(model, opts.rlsSetting), session, cmp, tenants });
  const flush = (outs: PassOut[]) => {
    for (const o of outs) {
      facts.push(...o.facts);
      skipped.push(...o.skipped);
    }
  };

  // Tenant tables and the FKs between them.
  const tenantCtx = context(model.tenantTable ? await readTenants(session, model) : null);
  const tenantFks = fkChecks.length > 0 ? plan.tenantFks : [];
  if (fkChecks.length > 0) {
    for (const c of plan.unreadableParentFks) {
      skipped.push({ schema: c.child.schema, table: c.child.table, constraint: c.fk.name,
        reason: `permission denied on its parent ${c.parent.schema}.${c.parent.table}: ${mayNotSelect(session)}` });
    }
  }
  let total = plan.tenantTables.length + tenantFks.length;
  let done = 0;
  // A table's FKs to other tenant tables are answered in the table's own pass when they can be.
  const fksOf = new Map<TableInfo, TenantFkTarget[]>();
  for (const c of tenantFks) fksOf.set(c.child, [...(fksOf.get(c.child) ?? []), c]);
  const fkProgress = (c: TenantFkTarget) => () =>
    opts.onProgress?.({ phase: 'foreign-key', done: done++, total, schema: c.child.schema, table: c.child.table, constraint: c.fk.name });
  const tablePass = async (t: TableInfo, s: Session, out: PassOut, inline: boolean) => {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'table', done, total, schema: t.schema, table: t.table });
    const fks = fksOf.get(t) ?? [];
    const { joined, ctids } = foldFks(t, fks, cmp, tenantCtx.tenants?.size);
    let scan: TableScan;
    let crossTenant: CrossTenantScan[] | null = null;
    try {
      if (joined.length > 0) {
        try {
          ({ scan, crossTenant } = await scanTableWithFks(s, t, joined, tenantCtx.tenants, cmp, ctids));
        } catch (err) {
          // A parent that cannot be read now: the table and each FK on their own, each skipped apart.
          if (!unscannableReason(err)) throw err;
          scan = await scanTable(s, t, t.tenantColumn!.name, tenantCtx.tenants, cmp);
        }
      } else {
        scan = await scanTable(s, t, t.tenantColumn!.name, tenantCtx.tenants, cmp);
      }
    } catch (err) {
      // Not checked, and so neither are its FKs: each is listed with the table's reason, not tried
      // (the same cause would refuse it, and a lock would be waited out again for each).
      const reason = skip(out, err, t);
      for (const c of fks) out.skipped.push({ schema: t.schema, table: t.table, constraint: c.fk.name, reason: `not checked with its table: ${reason}` });
      done += 1 + fks.length;
      return;
    }
    done += 1;
    const count = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    await onTable(out, tenantCtx, t, scan, count(scan.orphans) + count(scan.invalid), inline ? s : undefined);
    if (crossTenant) {
      for (const [i, c] of joined.entries()) await onFk(out, tenantCtx, c, () => Promise.resolve(crossTenant[i]!), fkProgress(c));
    }
    out.separate.push(...(crossTenant ? fks.filter((c) => !joined.includes(c)) : fks));
  };
  const fkPass = (c: TenantFkTarget, s: Session, out: PassOut) =>
    onFk(out, tenantCtx, c, () => scanCrossTenant(s, c.child, c.parent, c.fk, c.childCol, c.parentCol, cmp), fkProgress(c));

  // Large tables one at a time on the main session, or two at once on one backend each (each
  // with its FKs that its pass does not answer); then the small ones, two at once.
  const folded = (t: TableInfo) => foldFks(t, fksOf.get(t) ?? [], cmp, tenantCtx.tenants?.size).joined;
  const fkBytes = (c: TenantFkTarget) => passBytes(c.child, [c.parent]);
  const tableBytes = new Map(plan.tenantTables.map((t) => {
    const joined = folded(t);
    const rest = (fksOf.get(t) ?? []).filter((c) => !joined.includes(c));
    return [t, passBytes(t, joined.map((c) => c.parent)) + rest.reduce((sum, c) => sum + fkBytes(c), 0)];
  }));
  const bytesRead = [...tableBytes.values()].reduce((a, b) => a + b, 0);
  const limits = (session.profile.scanSessions ?? 1) >= 2 &&
    (Math.max(plan.tenantTables.length, tenantFks.length) >= POOL_MIN_PASSES || bytesRead >= PAIR_MIN_SCAN_MULTIPLE * 8192)
    ? await readParallelLimits(session) : null;
  const notOnCitus = (t: TableInfo) => (t.citus ?? null) === null;
  /**
   * Run `pass` over `items` (large ones paired, with `pairedPass`, and serial ones pooled, when
   * there are enough), then report their facts and skips in plan order, `done` ones included.
   */
  const runPhase = async <T>(
    items: T[], serial: (x: T) => boolean, bytes: (x: T) => number, pairable: (x: T) => boolean,
    pass: (x: T, s: Session, out: PassOut, inline: boolean) => Promise<void>,
    pairedPass = pass, done = new Map<T, PassOut>(),
  ) => {
    const outs = new Map(items.map((x) => [x, done.get(x) ?? newOut()]));
    const todo = items.filter((x) => !done.has(x));
    const small = todo.filter(serial);
    const pooled = new Set(small.length >= POOL_MIN_PASSES ? small : []);
    const { alone, paired } = pairLargePasses(todo.filter((y) => !pooled.has(y)), bytes, limits, pairable);
    for (const x of alone) await pass(x, session, outs.get(x)!, false);
    const pair = paired.length > 0 ? await lane.sibling() : null;
    if (pair) {
      await withoutParallelWorkers([session, pair], () => runPooled(paired, [session, pair], (x, s) => pairedPass(x, s, outs.get(x)!, true)));
    } else {
      for (const x of paired) await pass(x, session, outs.get(x)!, false);
    }
    const sibling = pooled.size >= 2 ? await lane.sibling() : null;
    const sessions = sibling ? [session, sibling] : [session];
    await runPooled([...pooled], sessions, (x, s) => pass(x, s, outs.get(x)!, sessions.length > 1));
    flush([...outs.values()]);
    return outs;
  };
  /** FK passes run on the session of their table's paired pass, right after it; reported with the other FKs. */
  const fkOutsDone = new Map<TenantFkTarget, PassOut>();
  const tableThenFks = async (t: TableInfo, s: Session, out: PassOut, inline: boolean) => {
    await tablePass(t, s, out, inline);
    for (const c of out.separate) {
      const o = newOut();
      await fkPass(c, s, o);
      fkOutsDone.set(c, o);
    }
  };
  const tableOuts = await runPhase(plan.tenantTables, (t) => isSerialPass(t, limits), (t) => tableBytes.get(t)!, notOnCitus, tablePass, tableThenFks);
  const separate = new Set([...tableOuts.values()].flatMap((o) => o.separate));
  await runPhase(tenantFks.filter((x) => separate.has(x)), (c) => isSerialPass(c.child, limits) && isSerialPass(c.parent, limits),
    fkBytes, (c) => notOnCitus(c.child) && notOnCitus(c.parent), fkPass, fkPass, fkOutsDone);
  const out = newOut();

  // Tables scoped through a parent, and the FKs along paths.
  for (const t of plan.unreadableScopedTables) skipped.push(unreadable(session, t));
  const scopedFks = fkChecks.length > 0 ? plan.scopedFks : [];
  if (plan.scopedTables.length === 0 && scopedFks.length === 0) return;
  const scopedCtx = context(await readTenants(session, model));
  total = plan.scopedTables.length + scopedFks.length;
  done = 0;
  for (const t of plan.scopedTables) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'table', done: done++, total, schema: t.schema, table: t.table });
    let scan: TableScan;
    try {
      scan = await scanScoped(session, model, t, scopedCtx.tenants, cmp);
    } catch (err) {
      skip(out, err, t);
      continue;
    }
    await onTable(out, scopedCtx, t, scan, 0);
  }
  for (const c of scopedFks) {
    await onFk(out, scopedCtx, c, () => scanScopedCross(session, model, c, cmp), () =>
      opts.onProgress?.({ phase: 'foreign-key', done: done++, total, schema: c.child.schema, table: c.child.table, constraint: c.fk.name }));
  }
  flush([out]);
}

/** The catalog reads around RLS, read once and handed to every check that needs them. */
async function runRlsCatalogChecks(session: Session, model: TenancyModel, role: string | undefined, findings: Finding[], skipped: Skipped[]): Promise<void> {
  const checks = checksNeeding('rls-catalog');
  if (checks.length === 0) return;
  const facts = await readBypassFacts(session, model, role);
  if (!facts) return;
  const ctx = {
    model, role, serverVersionNum: session.fingerprint.serverVersionNum,
    unknown: (schema: string, table: string, what: string) =>
      skipped.push({ schema, table, reason: `RLS bypass: ${what}; whether the application may read it needs --rls-role` }),
  };
  for (const c of checks) findings.push(...c.find(ctx, facts));
}

/** Whether the probe impersonates a Supabase caller (authenticated member, or anon) rather than setting a tenant. */
function supabaseCaller(model: TenancyModel, role: string | undefined): 'authenticated' | 'anon' | null {
  return model.platform === 'supabase' && (role === 'authenticated' || role === 'anon') ? role : null;
}

async function runProbe(
  session: Session, model: TenancyModel, tables: TableInfo[], findings: Finding[], skipped: Skipped[], opts: CheckOptions,
): Promise<void> {
  const cmp = keyCompare(session, model);
  const keyType = cmp.keyType;
  const caller = supabaseCaller(model, opts.rlsRole);
  let tenant = opts.rlsTenant;
  if (tenant) {
    try {
      // The key's own text form: an upper-case uuid given on the command line is the same tenant.
      const { rows } = await session.query<{ v: string }>(`SELECT ($1)::${keyType}::text AS v`, [tenant]);
      tenant = rows[0]!.v;
    } catch (err) {
      throw new UserError(`--rls-tenant ${tenant} is not a valid ${keyType} (the type of ${model.tenantTable?.schema}.${model.tenantTable?.table}.${model.tenantTable?.keyColumn}): ${(err as Error).message}`, 'usage');
    }
  }
  let probe: ProbeOptions;
  if (caller === 'authenticated') {
    const member = await pickMember(session, model, cmp, tenant);
    if (!member) {
      const m = membershipTable(model);
      skipped.push({ schema: '', table: '', reason: m
        ? `isolation probe: no member to impersonate: ${m.table.schema}.${m.table.table} has no ${tenant ? `member of ${tenant}` : 'membership'}${m.table.columns.includes('status') ? " with status 'active'" : ''}; give --rls-tenant a tenant with members`
        : 'isolation probe: on Supabase the probe impersonates a member, and no membership table (a tenant table with a foreign key to auth.users) was found; give --rls-setting for a tenant setting instead' });
      return;
    }
    probe = { role: opts.rlsRole!, ...(opts.rlsSetting ? { setting: opts.rlsSetting } : {}), tenant: member.tenant, cmp, member };
  } else if (caller === 'anon') {
    probe = { role: 'anon', ...(opts.rlsSetting ? { setting: opts.rlsSetting } : {}), tenant: '', cmp, member: { userId: '', claimRole: 'anon', tenants: [], membership: '' } };
  } else {
    if (!tenant) {
      const dir = model.tenantTable ? await readTenants(session, model) : new Map<string, string | null>();
      tenant = [...dir.keys()].sort()[0];
    }
    if (!tenant) {
      skipped.push({ schema: '', table: '', reason: 'isolation probe: no tenant to impersonate (empty tenant table); give --rls-tenant' });
      return;
    }
    probe = { role: opts.rlsRole!, setting: opts.rlsSetting!, tenant, cmp };
  }
  const relations = await relationTargets(session, tables, probe.role).catch((err: unknown) => {
    // A role that does not exist is named by SET ROLE below, in one line.
    if ((err as { code?: string }).code === '42704') return { targets: [], skipped: [] };
    throw err;
  });
  const targets = [...tables.map(tableTarget), ...relations.targets];
  let done = 0;
  const res = await probeIsolation(session, targets, probe, (t) => {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ phase: 'probe', done: done++, total: targets.length, schema: t.schema, table: t.name });
  });
  for (const c of checksNeeding('probe')) findings.push(...res.hits.map((h) => c.find(probe, h)));
  skipped.push(...res.skipped, ...relations.skipped);
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
