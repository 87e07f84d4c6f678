/**
 * Lint migrations with the real PostgreSQL parser before they run. Each finding names the file,
 * line, rule, severity and a safe rewrite. Errors block apply unless acknowledged.
 */
import type { LintFinding, LintOptions, LintRuleId } from '../../../shared/migrations.js';
import { RULE_CHECKS, SEVERITY_OF, fileFacts, type LintCarry, type RuleContext } from './lint-rules.js';
import { planMigration, type MigrationPlan } from './plan.js';
import type { MigrationSource } from './sources.js';

/** Tenant column names assumed when none is given. */
export const DEFAULT_TENANT_COLUMNS = ['org_id', 'organization_id', 'tenant_id'];

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...` : s);

const newCarry = (): LintCarry => ({ notNullChecks: new Map() });

/** Lint one SQL text as file `file`. */
export async function lintSql(file: string, sql: string, options: LintOptions = {}): Promise<LintFinding[]> {
  return lintFiles([{ file, sql }], options);
}

/** Lint SQL files in order, later files knowing what earlier ones added (e.g. NOT VALID checks). */
export async function lintFiles(files: readonly { file: string; sql: string }[], options: LintOptions = {}): Promise<LintFinding[]> {
  const carry = newCarry();
  const out: LintFinding[] = [];
  for (const f of files) {
    const plan = await planMigration({ id: f.file, name: f.file, file: f.file, sql: f.sql, checksum: null }, options.serverVersionNum);
    out.push(...lintPlan(f.file, plan, options, carry));
  }
  return out;
}

/** Lint a planned migration. */
export function lintPlan(file: string, plan: MigrationPlan, options: LintOptions = {}, carry: LintCarry = newCarry()): LintFinding[] {
  if (plan.parseError) {
    return [{
      file, line: plan.parseError.line, rule: 'parse-error', severity: SEVERITY_OF['parse-error'],
      message: `PostgreSQL's parser rejects this file: ${plan.parseError.message}`, statement: '', rewrite: null,
    }];
  }
  const stmts = plan.parsed ?? [];
  const ctx: RuleContext = {
    facts: fileFacts(stmts, carry),
    tenantColumns: options.tenantColumns?.length ? options.tenantColumns : DEFAULT_TENANT_COLUMNS,
    tablesWithPolicies: new Set(options.tablesWithPolicies ?? []),
    serverVersionNum: options.serverVersionNum ?? 999999,
    outsideTransaction: plan.outsideTransaction,
    statementCount: stmts.length,
  };
  const out: LintFinding[] = [];
  for (const stmt of stmts) {
    for (const check of RULE_CHECKS) {
      for (const hit of check(stmt, ctx)) {
        out.push({ file, line: stmt.line, rule: hit.rule, severity: hit.severity ?? SEVERITY_OF[hit.rule], message: hit.message, statement: clip(stmt.text), rewrite: hit.rewrite });
      }
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * Lint the migrations of a source in order (each knowing what earlier ones added), reporting
 * every file or only the given ids.
 */
export async function lintSource(source: MigrationSource, options: LintOptions = {}, only?: readonly string[]): Promise<LintFinding[]> {
  const carry = newCarry();
  const out: LintFinding[] = [];
  for (const m of source.migrations) {
    if (m.sql === null) continue;
    const findings = lintPlan(m.file ?? m.id, await planMigration(m, options.serverVersionNum), options, carry);
    if (!only || only.includes(m.id)) out.push(...findings);
  }
  return out;
}

/** Error findings not covered by the acknowledgement (rule ids, or 'all'). */
export function blockingFindings(findings: readonly LintFinding[], ack: readonly LintRuleId[] | 'all'): LintFinding[] {
  if (ack === 'all') return [];
  return findings.filter((f) => f.severity === 'error' && !ack.includes(f.rule));
}
