/**
 * Plan and apply the contract steps of a table: statements generated from the model, linted with
 * the migrations linter, shown, then run one by one (each in its own transaction with lock_timeout,
 * CONCURRENTLY ones outside any transaction), retried on lock timeouts, cancellable.
 */
import type { ContractPlan, ContractResult, ContractStep } from '../../../shared/contract-steps.js';
import { CONTRACT_STEPS } from '../../../shared/contract-steps.js';
import type { LintFinding } from '../../../shared/migrations.js';
import type { TenancyModel } from '../../../shared/model.js';
import { CancelledError, UserError } from '../errors.js';
import { parseQualifiedName } from '../ident.js';
import { lintFiles } from '../migrations/lint.js';
import type { Session } from '../session.js';
import { readContractCatalog } from './catalog.js';
import { acquireAdvisoryLock, advisoryKey, releaseAdvisoryLock } from '../advisory-lock.js';
import { contractStatements, modelTable, type ContractOptions } from './plan.js';

/** Parse a --step value: one step or "all". */
export function parseSteps(text: string | undefined): ContractStep[] {
  if (!text || text === 'all') return [...CONTRACT_STEPS];
  const steps = text.split(',').map((s) => s.trim());
  for (const s of steps) {
    if (!(CONTRACT_STEPS as readonly string[]).includes(s)) throw new UserError(`--step "${s}": use ${CONTRACT_STEPS.join(', ')} or all`, 'usage');
  }
  return CONTRACT_STEPS.filter((s) => steps.includes(s));
}

/** The plan for one table: statements in a safe order, lint findings, notes. */
export async function planContract(
  model: TenancyModel, tableText: string, steps: readonly ContractStep[], opts: ContractOptions & { serverVersionNum?: number; session?: Session } = {},
): Promise<ContractPlan> {
  let name: { schema: string; table: string };
  try {
    name = parseQualifiedName(tableText);
  } catch (err) {
    throw new UserError(`--table: ${(err as Error).message}`, 'usage');
  }
  const t = modelTable(model, name.schema, name.table);
  // With a session, plan from what the catalogs hold now, so a rerun after an interruption finishes the job.
  const catalog = opts.catalog ?? (opts.session ? await readContractCatalog(opts.session, [...new Set([t.schema, ...model.tables.map((x) => x.schema)])]) : undefined);
  opts = { ...opts, catalog };
  const statements: ContractPlan['statements'] = [];
  const notes: string[] = [];
  const lintContext: string[] = [];
  // Order: defaults before NOT NULL (nothing new lands via the default), FKs before RLS.
  for (const step of CONTRACT_STEPS.filter((s) => steps.includes(s))) {
    const r = contractStatements(model, t, step, opts);
    statements.push(...r.statements);
    notes.push(...r.notes);
    lintContext.push(...r.lintContext);
  }
  const withPolicies = t.policies.length ? [`${t.schema}.${t.table}`] : [];
  const found = await lintStatements(statements.map((s) => s.sql), t.tenantColumn?.name, opts.serverVersionNum, withPolicies, lintContext);
  // PostgreSQL cannot add a constraint NOT VALID to a partitioned table: the plan has no safer
  // form, so the linter's advice is a warning here, not a refusal of the tool's own plan.
  const lint = t.partitioned
    ? found.map((f) => (f.rule === 'constraint-not-valid-missing' ? { ...f, severity: 'warning' as const, message: `${f.message}; ${t.schema}.${t.table} is partitioned, where PostgreSQL has no NOT VALID: it checks every row, run it in the window` } : f))
    : found;
  if (t.partitioned && lint.some((f, i) => f !== found[i])) notes.push(`${t.schema}.${t.table} is partitioned: its constraints are added validated (no NOT VALID on partitioned tables), each scanning every partition`);
  return { schema: t.schema, table: t.table, steps: [...steps], statements, notes, lint };
}

/**
 * Lint the plan as one file (lock_timeout first, as the runner sets it), then name findings by
 * statement. Rules about sharing one transaction do not apply: the runner gives every statement
 * its own transaction (CONCURRENTLY ones none).
 */
async function lintStatements(
  sqls: readonly string[], tenantColumn: string | undefined, serverVersionNum?: number, tablesWithPolicies: string[] = [], context: readonly string[] = [],
): Promise<LintFinding[]> {
  if (sqls.length === 0) return [];
  const oneLine = (s: string) => `${s.replace(/\n/g, ' ')};`;
  const text = ["SET lock_timeout = '3s';", ...context.map(oneLine), ...sqls.map(oneLine)].join('\n');
  const skip = 1 + context.length;
  const findings = await lintFiles([{ file: 'plan', sql: text }], { tenantColumns: tenantColumn ? [tenantColumn] : undefined, serverVersionNum, tablesWithPolicies });
  return findings
    .filter((f) => f.rule !== 'non-transactional' && f.rule !== 'validate-same-transaction' && f.line > skip)
    .map((f) => ({ ...f, file: `statement ${f.line - skip}`, line: f.line - skip }));
}

/** How to apply. */
export interface ApplyContractOptions {
  lockTimeoutMs?: number;
  retries?: number;
  signal?: AbortSignal;
  onStatement?: (index: number, sql: string, state: 'running' | 'done' | 'retry') => void;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a cancel left: the statements committed before it stay; how to finish. */
function cancelledAt(applied: number, index: number, concurrently: boolean, started = true): CancelledError {
  if (applied === 0 && !concurrently) return new CancelledError('cancelled by the operator: no statement of the plan had committed; nothing was changed');
  const inFlight = !started ? `statement ${index + 1} did not start`
    : concurrently ? `statement ${index + 1} (CONCURRENTLY) was cancelled and may have left an INVALID index` : `statement ${index + 1} was rolled back`;
  return new CancelledError(`cancelled by the operator: ${applied} statement(s) of the plan committed before the cancel stay; ${inFlight}; run the same contract command again to finish (it plans from the catalog)`);
}

/** Run a plan's statements in order; stops at the first failure and says which. */
export async function applyContract(session: Session, plan: ContractPlan, opts: ApplyContractOptions = {}): Promise<ContractResult> {
  if (!session.isWritable) throw new UserError('contract changes need write mode (--write; on production also --confirm DBNAME)', 'permission');
  const blocking = plan.lint.filter((f) => f.severity === 'error');
  if (blocking.length) throw new UserError(`lint errors block the contract plan: ${blocking.map((f) => `${f.file} ${f.rule}`).join(', ')}`, 'lint');
  const lockTimeoutMs = opts.lockTimeoutMs ?? (session.profile.lockTimeoutMs || 3000);
  const retries = opts.retries ?? 3;
  const started = performance.now();
  // One contract per table at a time: a second waits up to lock_timeout, naming the first, then is refused.
  const key = advisoryKey(`contract:${plan.schema}.${plan.table}`, `a contract run on ${plan.schema}.${plan.table}`);
  await acquireAdvisoryLock(session, key, { timeoutMs: lockTimeoutMs, retryHint: 'run it again once that one has finished (it plans from the catalog)' });
  try {
    return await runPlan(session, plan, opts, lockTimeoutMs, retries, started);
  } finally {
    await releaseAdvisoryLock(session, key).catch(() => undefined);
  }
}

async function runPlan(session: Session, plan: ContractPlan, opts: ApplyContractOptions, lockTimeoutMs: number, retries: number, started: number): Promise<ContractResult> {
  const onAbort = () => void session.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let applied = 0;
  try {
    for (const [i, s] of plan.statements.entries()) {
      for (let attempt = 0; ; attempt += 1) {
        if (opts.signal?.aborted) throw cancelledAt(applied, i, false, false);
        opts.onStatement?.(i, s.sql, attempt ? 'retry' : 'running');
        try {
          if (s.outsideTransaction) {
            await session.query(`SELECT set_config('lock_timeout', $1, false)`, [`${lockTimeoutMs}ms`]);
            await session.query(s.sql);
          } else {
            await session.transaction(async () => {
              await session.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
              await session.query(s.sql);
            }, { readOnly: false });
          }
          break;
        } catch (err) {
          const code = (err as { code?: string }).code ?? null;
          if (code === '55P03' && attempt < retries && !opts.signal?.aborted) {
            await wait(250 * 2 ** attempt);
            continue;
          }
          if (err instanceof CancelledError || opts.signal?.aborted) throw cancelledAt(applied, i, s.outsideTransaction);
          return { plan, applied, failed: { index: i, sql: s.sql, error: (err as Error).message, code }, durationMs: Math.round(performance.now() - started) };
        }
      }
      applied += 1;
      opts.onStatement?.(i, s.sql, 'done');
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (plan.statements.some((s) => s.outsideTransaction)) await session.query('RESET lock_timeout').catch(() => undefined);
  }
  return { plan, applied, failed: null, durationMs: Math.round(performance.now() - started) };
}
