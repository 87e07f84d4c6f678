import { parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { LINT_RULE_IDS, type LintFinding, type LintRuleId } from '../../shared/migrations.js';
import { lintFiles } from '../../main/engine/migrations/lint.js';
import { CORPUS, type LintCase } from './lint-corpus.js';

const lintCase = async (c: LintCase, files = c.files): Promise<LintFinding[]> => {
  const all = await lintFiles(files.map((sql, i) => ({ file: `${String(i).padStart(4, '0')}.sql`, sql })), { serverVersionNum: c.v, tenantColumns: c.tenant });
  return all.filter((f) => f.file === `${String(files.length - 1).padStart(4, '0')}.sql`);
};

// Rules whose rewrite is a complete replacement: linting it (split into migrations at "-- next
// migration") must not trip the same rule again.
const SELF_CHECKED = new Set<LintRuleId>([
  'not-null-without-check', 'index-not-concurrent', 'constraint-not-valid-missing', 'validate-same-transaction', 'volatile-default',
  'constraint-builds-index', 'drop-index-not-concurrent', 'detach-partition-not-concurrent', 'domain-constraint', 'json-column',
  'unique-without-tenant', 'required-column-without-default', 'backfill-in-ddl-transaction', 'concurrently-in-transaction',
]);

const label = (c: LintCase) => `${c.fires ? 'fires' : 'silent'} ${c.rule}${c.v ? ` @${c.v}` : ''}: ${c.files.at(-1)!.replace(/\s+/g, ' ').slice(0, 90)}`;

describe('lint corpus', () => {
  it('has at least 150 cases, an unsafe and a safe case for every rule, and server versions 10 to 18', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    for (const rule of LINT_RULE_IDS) {
      expect(CORPUS.some((c) => c.rule === rule && c.fires), `${rule} unsafe`).toBe(true);
      expect(CORPUS.some((c) => c.rule === rule && !c.fires), `${rule} safe`).toBe(true);
    }
    const majors = new Set(CORPUS.map((c) => Math.floor((c.v ?? 180000) / 10000)));
    for (const m of [10, 11, 12, 13, 14, 15, 16, 17, 18]) expect(majors.has(m), `PostgreSQL ${m}`).toBe(true);
    expect(CORPUS.filter((c) => c.files.some((f) => /^\s*(BEGIN|START TRANSACTION)\b/im.test(f))).length, 'explicit transactions').toBeGreaterThanOrEqual(15);
    expect(CORPUS.filter((c) => c.files.length > 1).length, 'cross-file cases').toBeGreaterThanOrEqual(20);
  });

  it.each(CORPUS.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const findings = await lintCase(c);
    const mine = findings.filter((f) => f.rule === c.rule);
    if (!c.fires) {
      expect(mine, JSON.stringify(mine, null, 1)).toEqual([]);
      return;
    }
    expect(mine.length, JSON.stringify(findings.map((f) => f.rule))).toBeGreaterThan(0);
    const f = mine[0]!;
    if (c.lock) expect(f.lock).toBe(c.lock);
    if (c.noRewrite) return;
    expect(f.rewrite, f.message).not.toBeNull();
    expect(() => parseSync(f.rewrite!)).not.toThrow();
    if (!SELF_CHECKED.has(c.rule) || c.mitigationOnly) return;
    const parts = f.rewrite!.split(/^-- next migration:.*$/m).map((p) => p.trim()).filter((p) => !/^(--[^\n]*\n?)*$/.test(p));
    const after = await Promise.all(parts.map((_, i) => lintCase({ ...c, files: [...c.files.slice(0, -1), ...parts.slice(0, i + 1)] })));
    expect(after.flat().filter((x) => x.rule === c.rule), f.rewrite!).toEqual([]);
  });
});
