/**
 * The lint that knows the database, on real PostgreSQL with a table of known size: what the
 * database already has silences rules (a NOT NULL column, a validated CHECK, the tenant column),
 * the server version is the target's, and findings name the table's size and a lock-time estimate
 * from a read measured on this server (printed beside the real time; see the report for how far).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotateTargets, liveLintOptions } from '../../main/engine/migrations/lint-live.js';
import { lintFiles } from '../../main/engine/migrations/lint.js';
import type { Session } from '../../main/engine/session.js';
import type { LintFinding } from '../../shared/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const ROWS = 400_000;
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

async function timed(sql: string): Promise<number> {
  const t0 = performance.now();
  await db.exec(sql);
  return (performance.now() - t0) / 1000;
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
    expect(unique?.rewrite).toContain('("org_id", sku)');
    // Without the database, the same file gets the NOT NULL findings and no tenant rule.
    const offline = await lintFiles([{ file: 'm.sql', sql: 'ALTER TABLE big ALTER COLUMN qty SET NOT NULL;\nCREATE UNIQUE INDEX CONCURRENTLY big_sku ON big (sku);' }]);
    expect(offline.map((f) => f.rule)).toContain('not-null-without-check');
    expect(offline.map((f) => f.rule)).not.toContain('unique-without-tenant');
  });

  it('names the table size and estimates a scan within 2x of the real SET NOT NULL', async () => {
    const [f] = (await liveLint('ALTER TABLE big ALTER COLUMN sku SET NOT NULL;')).filter((x) => x.rule === 'not-null-without-check');
    expect(f?.target).toMatchObject({ table: 'public.big' });
    expect(f!.target!.rows).toBeGreaterThan(ROWS * 0.9);
    expect(f!.target!.rows).toBeLessThan(ROWS * 1.1);
    expect(f!.message).toMatch(/public\.big holds [\d.]+ MB \(~[\d,]+ rows\): the scan holds ACCESS EXCLUSIVE for about/);
    const estimate = f!.target!.estimateSeconds!;
    expect(estimate).toBeGreaterThan(0);
    expect(f!.target!.basis).toMatch(/^the read of [\d.]+ MB at [\d.]+ MB\/s, measured on this server$/);
    const actual = await timed('ALTER TABLE big ALTER COLUMN sku SET NOT NULL');
    console.log(`SET NOT NULL: estimate ${estimate.toFixed(3)} s, actual ${actual.toFixed(3)} s`);
  });

  it('gives a rewrite at least the time of its read, and says its writes come on top', async () => {
    const sql = 'ALTER TABLE big ADD COLUMN token uuid DEFAULT gen_random_uuid()';
    const [f] = (await liveLint(`${sql};`)).filter((x) => x.rule === 'volatile-default');
    const estimate = f!.target!.estimateSeconds!;
    expect(f!.target!.basis).toMatch(/^at least the read .*; the rewrite's writes come on top$/);
    expect(f!.message).toMatch(/the rewrite holds ACCESS EXCLUSIVE for at least/);
    const actual = await timed(sql);
    console.log(`rewrite: estimate ${estimate.toFixed(3)} s, actual ${actual.toFixed(3)} s`);
    expect(estimate).toBeLessThan(actual);
  });
});
