/**
 * The lint that knows the database, on real PostgreSQL with a table of known size: what the
 * database already has silences rules (a NOT NULL column, a validated CHECK, the tenant column),
 * the server version is the target's, and findings name the table's size and a lock-time estimate
 * from throughput measured on this server, within 2x of the statement's real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotateTargets, liveLintOptions } from '../../main/engine/migrations/lint-live.js';
import { lintFiles } from '../../main/engine/migrations/lint.js';
import type { Session } from '../../main/engine/session.js';
import type { LintFinding, LintRuleId } from '../../shared/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const ROWS = 100_000;
const FIXTURE = `
CREATE TABLE big (id int PRIMARY KEY, org_id int NOT NULL, sku text, qty int, note text);
INSERT INTO big SELECT g, g % 50, 'sku-' || g, g % 1000, repeat('x', 40) FROM generate_series(1, ${ROWS}) g;
ALTER TABLE big ADD CONSTRAINT big_qty_nn CHECK (qty IS NOT NULL);
ANALYZE big;
`;

let db: TestDatabase;
let session: Session;

async function liveLint(sql: string): Promise<LintFinding[]> {
  const options = await liveLintOptions(session);
  return annotateTargets(session, await lintFiles([{ file: 'm.sql', sql }], options));
}

describe('live lint', () => {
  beforeAll(async () => {
    db = await createTestDatabase(FIXTURE);
    await db.exec('VACUUM big');
    session = await db.session();
  }, 120_000);
  afterAll(async () => db?.drop());

  it('knows what the database has: NOT NULL columns, validated checks, the tenant column, the version', async () => {
    const options = await liveLintOptions(session);
    expect(options.serverVersionNum).toBe(session.fingerprint.serverVersionNum);
    const findings = await liveLint([
      'ALTER TABLE big ALTER COLUMN org_id SET NOT NULL;',
      'ALTER TABLE big ALTER COLUMN qty SET NOT NULL;',
      'CREATE UNIQUE INDEX CONCURRENTLY big_sku ON big (sku);',
    ].join('\n'));
    expect(findings.filter((f) => f.rule === 'not-null-without-check')).toEqual([]);
    const unique = findings.find((f) => f.rule === 'unique-without-tenant');
    expect(unique?.rewrite).toContain('ON big (org_id, sku)');
    // Without the database, the same file gets the NOT NULL findings and no tenant rule.
    const offline = await lintFiles([{ file: 'm.sql', sql: 'ALTER TABLE big ALTER COLUMN qty SET NOT NULL;\nCREATE UNIQUE INDEX CONCURRENTLY big_sku ON big (sku);' }]);
    expect(offline.map((f) => f.rule)).toContain('not-null-without-check');
    expect(offline.map((f) => f.rule)).not.toContain('unique-without-tenant');
  });

  it('names the table size and the scan in the message', async () => {
    const [f] = (await liveLint('ALTER TABLE big ALTER COLUMN note SET NOT NULL;')).filter((x) => x.rule === 'not-null-without-check');
    expect(f?.target).toMatchObject({ table: 'public.big' });
    expect(f!.target!.rows).toBeGreaterThan(ROWS * 0.9);
    expect(f!.target!.rows).toBeLessThan(ROWS * 1.1);
    expect(f!.message).toMatch(/public\.big holds [\d.]+ MB \(~[\d,]+ rows\): the scan holds ACCESS EXCLUSIVE for about [\d.]+ s/);
    expect(f!.target!.basis).toMatch(/^the validation's query \(rows failing it\) timed on .* x[\d.]+, measured on this server$/);
  });
});

// Each statement: the live lint's estimate, then the statement itself on the same server, side by
// side (so both see the same load); the estimate must be within 2x of the real time.
// Scans take tens of milliseconds, where one scheduling hiccup of a shared machine doubles a single
// run: estimate and statement take five turns (undone in between) and the medians are compared;
// rewrites two turns, and the means (the million-row ALTER COLUMN TYPE too: a single turn of it
// was 2.06x its estimate on a CI run). Under the whole suite (other files' databases on the same
// server) one attempt's CHECK and FK estimates came out at 2.4-2.5x the statement, where a quiet
// run of the same code gives 1.3-1.5x: a case gets three attempts, so a bias the estimate really
// has still fails it.
const WITHIN_2X: { what: string; rule: LintRuleId; sql: string; undo?: string; reset?: string }[] = [
  { what: 'SET NOT NULL (scan)', rule: 'not-null-without-check', sql: 'ALTER TABLE %t ALTER COLUMN sku SET NOT NULL', undo: 'ALTER TABLE %t ALTER COLUMN sku DROP NOT NULL' },
  { what: 'ADD CHECK (scan)', rule: 'constraint-not-valid-missing', sql: 'ALTER TABLE %t ADD CONSTRAINT %t_qty CHECK (qty >= 0 AND qty < 5000)', undo: 'ALTER TABLE %t DROP CONSTRAINT %t_qty' },
  { what: 'ADD FOREIGN KEY (anti-join)', rule: 'constraint-not-valid-missing', sql: 'ALTER TABLE %t ADD CONSTRAINT %t_org FOREIGN KEY (org_id) REFERENCES orgs (id)', undo: 'ALTER TABLE %t DROP CONSTRAINT %t_org' },
  { what: 'CREATE INDEX (build)', rule: 'index-not-concurrent', sql: 'CREATE INDEX %t_sku ON %t (sku)', reset: 'DROP INDEX IF EXISTS %t_sku' },
  { what: 'ALTER COLUMN TYPE (rewrite)', rule: 'column-type-change', sql: 'ALTER TABLE %t ALTER COLUMN qty TYPE bigint', undo: 'ALTER TABLE %t ALTER COLUMN qty TYPE int' },
  { what: 'ADD COLUMN DEFAULT gen_random_uuid() (rewrite)', rule: 'volatile-default', sql: 'ALTER TABLE %t ADD COLUMN token uuid DEFAULT gen_random_uuid()', undo: 'ALTER TABLE %t DROP COLUMN token' },
  { what: 'VACUUM FULL (rewrite)', rule: 'blocking-maintenance', sql: 'VACUUM FULL %t', undo: 'SELECT 1' },
];

// Scans run on the million-row table: on 200k rows they take ~20 ms, where the statement's fixed cost
// (catalog update, commit) is a third of the time. The million-row table runs the scans and one
// rewrite (index builds and the other rewrites run on 200k rows), to keep the file near a minute.
const SCANS = new Set(['SET NOT NULL (scan)', 'ADD CHECK (scan)', 'ADD FOREIGN KEY (anti-join)']);
const ON_LARGE = new Set([...SCANS, 'ALTER COLUMN TYPE (rewrite)']);

describe.each([
  { table: 'mid', rows: 200_000, cases: WITHIN_2X.filter((c) => !SCANS.has(c.what)) },
  { table: 'large', rows: 1_000_000, cases: WITHIN_2X.filter((c) => ON_LARGE.has(c.what)) },
])('live estimates within 2x of the real statement: $rows rows', ({ table, rows, cases }) => {
  let tdb: TestDatabase;
  let s: Session;
  beforeAll(async () => {
    tdb = await createTestDatabase(`
      CREATE TABLE orgs (id int PRIMARY KEY); INSERT INTO orgs SELECT g FROM generate_series(0, 49) g;
      CREATE TABLE ${table} (id int PRIMARY KEY, org_id int, sku text, qty int, note text);
      INSERT INTO ${table} SELECT g, g % 50, 'sku-' || (g::bigint * 7919 % ${rows}), g % 1000, repeat('x', 40) FROM generate_series(1, ${rows}) g;
      ANALYZE ${table};`);
    await tdb.exec(`VACUUM ${table}`);
    s = await tdb.session();
  }, 180_000);
  afterAll(async () => tdb?.drop());

  const attempted = new Set<string>();
  it.each(cases)('$what', { retry: 2 }, async ({ what, rule, sql, undo, reset }) => {
    const stmt = sql.replace(/%t/g, table);
    // A retry starts from the table as the case found it (the last attempt left its statement applied).
    if (attempted.has(what)) await tdb.exec((undo ?? reset ?? 'SELECT 1').replace(/%t/g, table)).catch(() => undefined);
    attempted.add(what);
    const estimates: number[] = [];
    const runs: number[] = [];
    let basis = '';
    // Estimate, then the statement, in turns: both see the same load on a shared machine.
    const times = !undo ? 1 : SCANS.has(what) ? 5 : 2;
    for (let i = 0; i < times; i += 1) {
      if (i > 0) await tdb.exec(undo!.replace(/%t/g, table));
      const f = (await annotateTargets(s, await lintFiles([{ file: 'm.sql', sql: `${stmt};` }], await liveLintOptions(s)))).find((x) => x.rule === rule);
      expect(f?.target?.estimateSeconds, JSON.stringify(f)).toBeGreaterThan(0);
      estimates.push(f!.target!.estimateSeconds!);
      basis = f!.target!.basis ?? '';
      const t0 = performance.now();
      await tdb.exec(stmt);
      runs.push((performance.now() - t0) / 1000);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [estimate, actual] = times >= 3 ? [median(estimates), median(runs)] : [mean(estimates), mean(runs)];
    console.log(`${rows} rows, ${stmt}: estimate ${estimate.toFixed(3)} s, actual ${actual.toFixed(3)} s (${runs.length} turn(s): estimates ${estimates.map((x) => x.toFixed(3)).join(', ')}; actual ${runs.map((x) => x.toFixed(3)).join(', ')}), ratio ${(estimate / actual).toFixed(2)} (${basis})`);
    expect(estimate / actual).toBeGreaterThan(0.5);
    expect(estimate / actual).toBeLessThan(2);
  });
});
