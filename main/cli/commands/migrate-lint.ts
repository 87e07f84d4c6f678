/**
 * `tenancy migrate lint` output: the report (header, per-rule summary, findings with line ranges),
 * the --rule / --severity filters, and SARIF 2.1.0 for code scanning in CI.
 */
import path from 'node:path';
import type { Severity } from '../../../shared/checks.js';
import { LINT_RULE_IDS, type LintFinding, type LintReport, type LintRuleId, type MigrationKind } from '../../../shared/migrations.js';
import { UserError } from '../../engine/errors.js';
import { LINT_RULES } from '../../engine/migrations/lint-rules.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Parse `--rule a,b` (rule ids) and `--severity warning` (minimum); one clear line on a bad value. */
export function parseLintFilters(rule: string | undefined, severity: string | undefined): { rules: LintRuleId[] | null; minSeverity: Severity } {
  const rules = rule ? rule.split(',').map((s) => s.trim()).filter(Boolean) : null;
  for (const r of rules ?? []) {
    if (!(LINT_RULE_IDS as readonly string[]).includes(r)) throw new UserError(`--rule ${r}: unknown rule; rules are ${LINT_RULE_IDS.join(', ')}`, 'usage');
  }
  const min = (severity ?? 'info') as Severity;
  if (!(min in SEVERITY_RANK)) throw new UserError(`--severity ${severity}: expected info, warning or error`, 'usage');
  return { rules: rules as LintRuleId[] | null, minSeverity: min };
}

/** The report of a lint run, findings filtered, summary counted per rule (most first). */
export function lintReport(
  head: { kind: MigrationKind; dir: string; migrationsRead: number; serverVersionNum: number },
  findings: readonly LintFinding[],
  filters: { rules: LintRuleId[] | null; minSeverity: Severity },
): LintReport {
  const kept = findings.filter((f) => (!filters.rules || filters.rules.includes(f.rule)) && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[filters.minSeverity]);
  const counts = new Map<LintRuleId, { severity: Severity; count: number }>();
  for (const f of kept) {
    const c = counts.get(f.rule) ?? { severity: f.severity, count: 0 };
    c.count += 1;
    if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[c.severity]) c.severity = f.severity;
    counts.set(f.rule, c);
  }
  const summary = [...counts].map(([rule, c]) => ({ rule, ...c })).sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
  return { ...head, summary, findings: kept };
}

const version = (n: number) => (n >= 100000 ? `${Math.floor(n / 10000)}` : `${Math.floor(n / 10000)}.${Math.floor(n / 100) % 100}`);
const indent = (s: string, by: string) => s.split('\n').map((l) => `${by}${l}`).join('\n');

/** The human report: header, findings (statement with its line range), per-rule summary last. */
export function renderLintReport(r: LintReport, serverVersionGiven: boolean): string {
  const head = [
    `${r.kind} migrations in ${r.dir}`,
    `${r.migrationsRead} migration(s) read; PostgreSQL ${version(r.serverVersionNum)} ${serverVersionGiven ? 'assumed' : 'assumed (pass --server-version or --profile for yours)'}`,
  ].join('\n');
  if (!r.findings.length) return `${head}\n\nno lint findings`;
  const blocks = r.findings.map((f) => {
    const lines = f.endLine > f.line ? `${f.line}-${f.endLine}` : `${f.line}`;
    const stmt = f.statement ? `\n${indent(f.statement, '  > ')}` : '';
    const rewrite = f.rewrite ? `\n  safe rewrite:\n${indent(f.rewrite, '    ')}` : '';
    return `${f.file}:${lines}  ${f.severity}  ${f.rule}${f.lock ? `  [${f.lock}]` : ''}\n  ${f.message}${stmt}${rewrite}`;
  });
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const width = Math.max(...r.summary.map((s) => s.rule.length));
  const summary = r.summary.map((s) => `  ${s.rule.padEnd(width)}  ${s.severity.padEnd(7)}  ${s.count}`).join('\n');
  return `${head}\n\n${blocks.join('\n\n')}\n\nper rule:\n${summary}\n\n${r.findings.length} finding(s), ${errors} error(s)`;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * SARIF 2.1.0 for GitHub code scanning and other CI viewers: one run, every rule described (why
 * and safe sequence), each finding located by file (relative to the current directory) and lines.
 */
export function lintSarif(r: LintReport, cwd = process.cwd()): unknown {
  const uri = (file: string) => path.relative(cwd, path.join(r.dir, file)).split(path.sep).join('/');
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'tenancy migrate lint',
          rules: LINT_RULE_IDS.map((id) => ({
            id,
            shortDescription: { text: LINT_RULES[id].why },
            help: { text: LINT_RULES[id].safe },
            defaultConfiguration: { level: SARIF_LEVEL[LINT_RULES[id].severity] },
          })),
        },
      },
      results: r.findings.map((f) => ({
        ruleId: f.rule,
        level: SARIF_LEVEL[f.severity],
        message: { text: `${f.message}${f.lock ? ` [${f.lock}]` : ''}${f.rewrite ? `\nSafe rewrite:\n${f.rewrite}` : ''}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.file) }, region: { startLine: f.line, endLine: f.endLine } } }],
      })),
    }],
  };
}
