/**
 * Lint migrations with the real PostgreSQL parser before they run. Each finding names the file,
 * line range, rule, severity, the lock at stake and a safe rewrite that parses. Errors block apply
 * unless acknowledged.
 */
import { loadModule, scanSync } from 'libpg-query';
import type { LintFinding, LintOptions, LintRuleId } from '../../../shared/migrations.js';
import { fileFacts, newCarry, type LintCarry, type RuleContext, type RuleHit } from './lint-facts.js';
import { blocksWrites, describeLock, statementLock } from './lint-locks.js';
import { RULE_CHECKS, SEVERITY_OF } from './lint-rules.js';
import { parsesAsSql } from './lint-sql.js';
import type { ParsedStatement } from './parse.js';
import { planMigration, type MigrationPlan } from './plan.js';
import type { MigrationSource } from './sources.js';

/** Tenant column names assumed when none is given (matched in any case style: tenantId too). */
export const DEFAULT_TENANT_COLUMNS = ['org_id', 'organization_id', 'tenant_id'];

/** The newest PostgreSQL the rules know; assumed when no server version is given. */
export const NEWEST_SERVER_VERSION = 180000;

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...` : s);
const BOM = /^\uFEFF/;

/** Whether SQL has no statement at all (empty, blank or only comments): nothing to lint, not an error. */
function isEmptySql(sql: string): boolean {
  if (!sql.trim()) return true;
  try {
    return scanSync(sql).tokens.every((t) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT' || t.text === ';');
  } catch {
    return false;
  }
}
const lineCount = (s: string) => (s.match(/\n/g) ?? []).length;

/** A carry seeded with what the database already has (live lint), as if earlier migrations made it. */
function seededCarry(options: LintOptions): LintCarry {
  const carry = newCarry();
  for (const [table, cols] of Object.entries(options.columns ?? {})) {
    carry.columns.set(table, new Map(cols.map((c) => [c.name, { key: c.type, mods: c.mods }])));
  }
  for (const key of options.provenNotNull ?? []) carry.validatedNotNull.add(key);
  return carry;
}

/** Lint one SQL text as file `file`. */
export async function lintSql(file: string, sql: string, options: LintOptions = {}): Promise<LintFinding[]> {
  return lintFiles([{ file, sql }], options);
}

/** Lint SQL files in order, later files knowing what earlier ones added (e.g. NOT VALID checks). */
export async function lintFiles(files: readonly { file: string; sql: string }[], options: LintOptions = {}): Promise<LintFinding[]> {
  await loadModule();
  const carry = seededCarry(options);
  const out: LintFinding[] = [];
  for (const f of files) {
    const sql = f.sql.replace(BOM, '');
    if (isEmptySql(sql)) continue;
    const plan = await planMigration({ id: f.file, name: f.file, file: f.file, sql, checksum: null }, options.serverVersionNum);
    out.push(...lintPlan(f.file, plan, options, carry));
  }
  return out;
}

function timeoutFindings(file: string, stmts: readonly ParsedStatement[], ctx: RuleContext): LintFinding[] {
  const locking = stmts
    .map((s) => ({ s, lock: statementLock(s, ctx.serverVersionNum) }))
    .filter(({ s, lock }) => {
      ctx.facts.created.cursor = s.index;
      return lock && blocksWrites(lock.mode) && !(lock.relation && ctx.facts.created.has(lock.relation));
    });
  const out: LintFinding[] = [];
  const before = locking.filter(({ s }) => s.index < ctx.facts.firstLockTimeout);
  if (before.length) {
    const first = before[0]!;
    out.push({
      file, line: first.s.line, endLine: first.s.line + lineCount(first.s.text), rule: 'lock-timeout-missing', severity: SEVERITY_OF['lock-timeout-missing'],
      message: `${before.length} statement(s) take a lock that blocks writes with no SET lock_timeout before them: waiting behind a long transaction queues every query on the table (the console's apply sets one; other tools do not): ${before.map(({ s, lock }) => `line ${s.line} ${describeLock(lock)}`).join('; ')}`,
      statement: clip(first.s.text), rewrite: "SET lock_timeout = '3s';  -- first line of the file", lock: describeLock(first.lock),
    });
  }
  const long = locking.filter(({ s }) => s.index < ctx.facts.firstStatementTimeout);
  if (long.length && !before.length) {
    const first = long[0]!;
    out.push({
      file, line: first.s.line, endLine: first.s.line + lineCount(first.s.text), rule: 'statement-timeout-missing', severity: SEVERITY_OF['statement-timeout-missing'],
      message: `no SET statement_timeout before ${long.length} locking statement(s): the session's default applies (the profile's, when the console applies)`,
      statement: clip(first.s.text), rewrite: "SET statement_timeout = '15min';  -- first lines of the file: what the longest statement needs", lock: describeLock(first.lock),
    });
  }
  return out;
}

/** Lint a planned migration. */
export function lintPlan(file: string, plan: MigrationPlan, options: LintOptions = {}, carry: LintCarry = newCarry()): LintFinding[] {
  if (plan.parseError) {
    return [{
      file, line: plan.parseError.line, endLine: plan.parseError.line, rule: 'parse-error', severity: SEVERITY_OF['parse-error'],
      message: `PostgreSQL's parser rejects this file: ${plan.parseError.message}`, statement: '', rewrite: null, lock: null,
    }];
  }
  const stmts = plan.parsed ?? [];
  const serverVersionNum = options.serverVersionNum ?? NEWEST_SERVER_VERSION;
  const ctx: RuleContext = {
    facts: fileFacts(stmts, carry, serverVersionNum),
    carry,
    tenantColumns: options.tenantColumns?.length ? options.tenantColumns : DEFAULT_TENANT_COLUMNS,
    tablesWithPolicies: new Set(options.tablesWithPolicies ?? []),
    serverVersionNum,
    statements: stmts,
  };
  const out: LintFinding[] = [];
  for (const stmt of stmts) {
    ctx.facts.created.cursor = stmt.index;
    const own = describeLock(statementLock(stmt, serverVersionNum));
    for (const check of RULE_CHECKS) {
      for (const hit of check(stmt, ctx)) out.push(toFinding(file, stmt, hit, own));
    }
  }
  out.push(...timeoutFindings(file, stmts, ctx));
  return out.sort((a, b) => a.line - b.line);
}

/** The parsed statement behind each finding (engine-side only: the live lint reads it to measure the statement's work). */
const STATEMENT_OF = new WeakMap<LintFinding, ParsedStatement>();

/** The parsed statement a finding is about, when it came from a statement (not a file-level or parse-error finding). */
export const statementOfFinding = (f: LintFinding): ParsedStatement | undefined => STATEMENT_OF.get(f);

function toFinding(file: string, stmt: ParsedStatement, hit: RuleHit, own: string | null): LintFinding {
  const rewrite = hit.rewrite && parsesAsSql(hit.rewrite) ? hit.rewrite : null;
  const finding: LintFinding = {
    file, line: stmt.line, endLine: stmt.line + lineCount(stmt.text), rule: hit.rule, severity: hit.severity ?? SEVERITY_OF[hit.rule],
    message: hit.message, statement: clip(stmt.text), rewrite, lock: hit.lock === undefined ? own : describeLock(hit.lock),
  };
  STATEMENT_OF.set(finding, stmt);
  return finding;
}

/** The result of linting a folder: findings and how many migrations were read. */
export interface SourceLint {
  findings: LintFinding[];
  migrationsRead: number;
  serverVersionNum: number;
}

/**
 * Lint the migrations of a source in order (each knowing what earlier ones added), reporting
 * every file or only the given ids.
 */
export async function lintSource(source: MigrationSource, options: LintOptions = {}, only?: readonly string[]): Promise<LintFinding[]> {
  return (await lintSourceReport(source, options, only)).findings;
}

/** lintSource, with the count of migrations read and the server version assumed. */
export async function lintSourceReport(source: MigrationSource, options: LintOptions = {}, only?: readonly string[]): Promise<SourceLint> {
  await loadModule();
  const carry = seededCarry(options);
  const out: LintFinding[] = [];
  let read = 0;
  for (const m of source.migrations) {
    if (m.sql === null) continue;
    read += 1;
    const sql = m.sql.replace(BOM, '');
    if (isEmptySql(sql)) continue;
    const findings = lintPlan(m.file ?? m.id, await planMigration({ ...m, sql }, options.serverVersionNum), options, carry);
    if (!only || only.includes(m.id)) out.push(...findings);
  }
  return { findings: out, migrationsRead: read, serverVersionNum: options.serverVersionNum ?? NEWEST_SERVER_VERSION };
}

/** Error findings not covered by the acknowledgement (rule ids, or 'all'). */
export function blockingFindings(findings: readonly LintFinding[], ack: readonly LintRuleId[] | 'all'): LintFinding[] {
  if (ack === 'all') return [];
  return findings.filter((f) => f.severity === 'error' && !ack.includes(f.rule));
}
