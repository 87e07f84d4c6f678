import { loadModule, parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { typeNameSql } from '../../main/engine/migrations/lint-deparse.js';
import type { LintOptions, LintRuleId } from '../../shared/migrations.js';
import { blockingFindings, lintFiles, lintSql } from '../../main/engine/migrations/lint.js';

const rulesOf = async (files: string[], options: LintOptions = {}) =>
  (await lintFiles(files.map((sql, i) => ({ file: `${i}.sql`, sql })), options)).filter((f) => f.file === `${files.length - 1}.sql`).map((f) => f.rule);

const ITEMS = 'CREATE TABLE items (id int, org_id int, sku text);';
const SETTINGS = 'CREATE TABLE app_settings (organization_id int, key text);';
const ACCOUNTS = 'CREATE TABLE t (account_id int, email text);';

// Each rule: a migration (as one or more files applied in order) that must trip it, and the safe
// rewrite that must not. The last file is the one under test.
const CASES: { rule: LintRuleId; bad: string[]; safe: string[]; options?: LintOptions }[] = [
  { rule: 'parse-error', bad: ['ALTER TABLE items ADD COLUMN;'], safe: ['ALTER TABLE items ADD COLUMN note text;'] },
  {
    rule: 'not-null-without-check',
    bad: ['ALTER TABLE items ALTER COLUMN org_id SET NOT NULL;'],
    safe: [
      'ALTER TABLE items ADD CONSTRAINT items_org_nn CHECK (org_id IS NOT NULL) NOT VALID;',
      'ALTER TABLE items VALIDATE CONSTRAINT items_org_nn;\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;\nALTER TABLE items DROP CONSTRAINT items_org_nn;',
    ],
  },
  { rule: 'not-null-without-check', bad: ['ALTER TABLE items ALTER COLUMN org_id SET NOT NULL;'], safe: ['CREATE TABLE items (org_id int);\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;'] },
  { rule: 'index-not-concurrent', bad: ['CREATE INDEX items_org ON items (org_id);'], safe: ['CREATE INDEX CONCURRENTLY items_org ON items (org_id);'] },
  { rule: 'index-not-concurrent', bad: ['CREATE INDEX items_org ON items (org_id);'], safe: ['CREATE TABLE items (org_id int);\nCREATE INDEX items_org ON items (org_id);'] },
  {
    rule: 'constraint-not-valid-missing',
    bad: ['ALTER TABLE items ADD CONSTRAINT items_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id);'],
    safe: ['ALTER TABLE items ADD CONSTRAINT items_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;'],
  },
  { rule: 'constraint-not-valid-missing', bad: ['ALTER TABLE items ADD CONSTRAINT qty_pos CHECK (qty > 0);'], safe: ['ALTER TABLE items ADD CONSTRAINT qty_pos CHECK (qty > 0) NOT VALID;'] },
  {
    rule: 'validate-same-transaction',
    bad: ['ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT fk;'],
    safe: ['ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;', 'ALTER TABLE items VALIDATE CONSTRAINT fk;'],
  },
  { rule: 'volatile-default', bad: ['ALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();'], safe: ['ALTER TABLE items ADD COLUMN created timestamptz DEFAULT now();'] },
  { rule: 'volatile-default', bad: ['ALTER TABLE items ADD COLUMN n float8 DEFAULT random() * 10;'], safe: ['ALTER TABLE items ADD COLUMN n float8;\nALTER TABLE items ALTER COLUMN n SET DEFAULT random();'] },
  { rule: 'rewriting-column', bad: ['ALTER TABLE items ADD COLUMN seq bigserial;'], safe: ['ALTER TABLE items ADD COLUMN seq bigint;'] },
  { rule: 'lock-timeout-missing', bad: ['ALTER TABLE items ADD COLUMN note text;'], safe: ["SET lock_timeout = '3s';\nALTER TABLE items ADD COLUMN note text;"] },
  { rule: 'lock-timeout-missing', bad: ['TRUNCATE audit;'], safe: ["SELECT set_config('lock_timeout', '2s', true);\nTRUNCATE audit;"] },
  { rule: 'destructive-statement', bad: ['DROP TABLE legacy;'], safe: ['CREATE TABLE scratch (id int);\nDROP TABLE scratch;'] },
  { rule: 'destructive-statement', bad: ['ALTER TABLE items DROP COLUMN legacy_org;'], safe: ['ALTER TABLE items RENAME COLUMN legacy_org TO legacy_org_unused;'] },
  { rule: 'destructive-statement', bad: ['TRUNCATE items;'], safe: ['DELETE FROM items WHERE org_id IS NULL;'] },
  { rule: 'destructive-statement', bad: ['DELETE FROM items;'], safe: ['DELETE FROM items WHERE id = 1;'] },
  {
    rule: 'rls-without-policy',
    bad: ['ALTER TABLE items ENABLE ROW LEVEL SECURITY;'],
    safe: ["CREATE POLICY tenant ON items USING (org_id = current_setting('app.org')::int);\nALTER TABLE items ENABLE ROW LEVEL SECURITY;"],
  },
  { rule: 'unique-without-tenant', bad: [ITEMS, 'CREATE UNIQUE INDEX CONCURRENTLY items_sku ON items (sku);'], safe: [ITEMS, 'CREATE UNIQUE INDEX CONCURRENTLY items_sku ON items (org_id, sku);'] },
  { rule: 'unique-without-tenant', bad: [SETTINGS, 'ALTER TABLE app_settings ADD CONSTRAINT k UNIQUE (key);'], safe: [SETTINGS, 'ALTER TABLE app_settings ADD CONSTRAINT k UNIQUE (organization_id, key);'] },
  { rule: 'unique-without-tenant', bad: ['CREATE TABLE t (id int PRIMARY KEY, org_id int, email text UNIQUE);'], safe: ['CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE);'] },
  { rule: 'unique-without-tenant', bad: [ACCOUNTS, 'ALTER TABLE t ADD UNIQUE (email);'], safe: [ACCOUNTS, 'ALTER TABLE t ADD UNIQUE (account_id, email);'], options: { tenantColumns: ['account_id'] } },
  {
    rule: 'non-transactional',
    bad: ["CREATE INDEX CONCURRENTLY items_org ON items (org_id);\nUPDATE items SET org_id = 1 WHERE id = 2;"],
    safe: ['CREATE INDEX CONCURRENTLY items_org ON items (org_id);'],
  },
];

describe('migration lint', () => {
  it.each(CASES)('$rule fires on the bad example and not on its safe rewrite (#%#)', async ({ rule, bad, safe, options }) => {
    expect(await rulesOf(bad, options)).toContain(rule);
    expect(await rulesOf(safe, options)).not.toContain(rule);
  });

  it('enabling RLS is fine when the database already has a policy on the table', async () => {
    expect((await lintSql('a.sql', 'ALTER TABLE items ENABLE ROW LEVEL SECURITY;', { tablesWithPolicies: ['public.items'] })).map((f) => f.rule)).not.toContain('rls-without-policy');
  });

  it('names the line of the statement, past comments and multi-byte identifiers', async () => {
    const sql = "-- 0007 tenant organizations\nSET lock_timeout = '2s';\n\nCREATE TABLE \"Ünïcode; tbl\" (id int);\n/* block\n comment */\n  ALTER TABLE items\n    ALTER COLUMN org_id SET NOT NULL;\n";
    const f = (await lintSql('0007.sql', sql)).find((x) => x.rule === 'not-null-without-check')!;
    expect(f).toMatchObject({ file: '0007.sql', line: 7, severity: 'error' });
    expect(f.statement).toMatch(/^ALTER TABLE items/);
  });

  it('quotes hostile names in the safe rewrite', async () => {
    const sql = 'ALTER TABLE "My ""Schema"""."Tab;le" ALTER COLUMN "Org Id" SET NOT NULL;';
    const f = (await lintSql('x.sql', sql)).find((x) => x.rule === 'not-null-without-check')!;
    expect(f.rewrite).toContain('ALTER TABLE "My ""Schema"""."Tab;le" ADD CONSTRAINT "Tab;le_Org Id_not_null" CHECK ("Org Id" IS NOT NULL) NOT VALID;');
  });

  it('reports a parse error with its line', async () => {
    const [f] = await lintSql('bad.sql', 'SELECT 1;\n\nALTER TABLE items ADD COLUMN;');
    expect(f).toMatchObject({ rule: 'parse-error', line: 3, severity: 'error' });
  });

  it('lets acknowledged rules through and blocks the rest', async () => {
    const findings = await lintSql('d.sql', 'DROP TABLE legacy;\nCREATE INDEX i ON items (a);');
    expect(blockingFindings(findings, ['destructive-statement']).map((f) => f.rule)).toEqual(['index-not-concurrent']);
    expect(blockingFindings(findings, 'all')).toEqual([]);
  });
});

const TYPES = [
  'uuid[]', 'numeric(10,2)', 'numeric', 'varchar(20)', 'character varying', 'char(3)', 'TIMESTAMP(3)', 'timestamptz(3)[]', 'time(2) with time zone',
  'interval day to second(2)', 'interval(3)', 'interval year', 'interval', 'bit varying(8)', 'double precision', 'int[][]', 'int[3]', '"My Type"', 'app.money', 'jsonb', 'text', 'json',
];

describe('typeNameSql', () => {
  beforeAll(() => loadModule());
  const typeNode = (sql: string) => {
    const stmt = parseSync(`ALTER TABLE t ADD COLUMN c ${sql}`).stmts![0]!.stmt as { AlterTableStmt: { cmds: { AlterTableCmd: { def: { ColumnDef: { typeName: unknown } } } }[] } };
    return stmt.AlterTableStmt.cmds[0]!.AlterTableCmd.def.ColumnDef.typeName;
  };
  const noLocations = (n: unknown) => JSON.parse(JSON.stringify(n, (k, v) => (k === 'location' ? undefined : v)));
  it.each(TYPES)('deparses %s to a type PostgreSQL reads back the same', (type) => {
    const node = typeNode(type);
    expect(noLocations(typeNode(typeNameSql(node)))).toEqual(noLocations(node));
  });
});
