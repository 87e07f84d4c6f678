import { loadModule, parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LintFinding, LintRuleId } from '../../shared/migrations.js';
import { lintFiles } from '../../main/engine/migrations/lint.js';
import { CORPUS } from './lint-corpus.js';

const lint = async (files: string[], tenantColumns?: string[], serverVersionNum?: number): Promise<LintFinding[]> => {
  const all = await lintFiles(files.map((sql, i) => ({ file: `${i}.sql`, sql })), { tenantColumns, serverVersionNum });
  return all.filter((f) => f.file === `${files.length - 1}.sql`);
};

/** Every statement node of a rewrite, as parsed. */
const statementsOf = (sql: string) => (parseSync(sql).stmts ?? []).map((s) => s.stmt as unknown as Record<string, Record<string, unknown>>);

/** Identifiers of a parse tree: relations, columns, constraint, index and column-definition names. */
function identifiersOf(sql: string): Set<string> {
  const out = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && ['relname', 'schemaname', 'colname', 'conname', 'idxname', 'name', 'sval'].includes(key)) out.add(value);
        else visit(value);
      }
    }
  };
  visit(statementsOf(sql));
  return out;
}

// Placeholders are quoted identifiers "<what to choose>"; only these rules leave the operator a choice.
const PLACEHOLDER = /"<([^">]*)>"/g;
const CHOOSES = new Set<LintRuleId>(['required-column-without-default', 'destructive-statement', 'backfill-in-ddl-transaction', 'rls-without-policy', 'rename-breaks-clients']);

describe('lint rewrites deparsed from the parse tree', () => {
  beforeAll(() => loadModule());

  it('every rewrite the corpus produces parses, and any placeholder is named and left only where the operator must choose', async () => {
    let rewrites = 0;
    for (const c of CORPUS.filter((x) => x.fires)) {
      for (const f of await lint(c.files, c.tenant, c.v)) {
        if (!f.rewrite) continue;
        rewrites += 1;
        expect(() => parseSync(f.rewrite!), `${f.rule}: ${f.rewrite}`).not.toThrow();
        const names = [...f.rewrite.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim());
        if (!names.length) continue;
        expect(CHOOSES.has(f.rule), `${f.rule} leaves a placeholder: ${f.rewrite}`).toBe(true);
        for (const n of names) expect(n.length, f.rewrite).toBeGreaterThan(3);
      }
    }
    expect(rewrites).toBeGreaterThan(150);
  });

  const HOSTILE_TABLE = 'ALTER TABLE "Sales ""EU"""."select"';
  const hostile: { rule: LintRuleId; sql: string[]; names: string[]; tenant?: string[] }[] = [
    { rule: 'not-null-without-check', sql: [`${HOSTILE_TABLE} ALTER COLUMN "Org Id" SET NOT NULL;`], names: ['Sales "EU"', 'select', 'Org Id'] },
    { rule: 'constraint-not-valid-missing', sql: [`${HOSTILE_TABLE} ADD CONSTRAINT "Qty>0" CHECK ("Qty" > 0);`], names: ['Sales "EU"', 'select', 'Qty>0', 'Qty'] },
    { rule: 'constraint-not-valid-missing', sql: [`${HOSTILE_TABLE} ADD COLUMN "user" bigint REFERENCES "Order"("ID");`], names: ['select', 'user', 'Order', 'ID'] },
    { rule: 'volatile-default', sql: [`${HOSTILE_TABLE} ADD COLUMN "Tök én" "My Type"[] DEFAULT "Gen"();`], names: ['select', 'Tök én', 'My Type', 'Gen'] },
    { rule: 'index-not-concurrent', sql: ['CREATE INDEX "Idx; drop" ON "Sales ""EU"""."select" ("from", lower("Name"));'], names: ['Idx; drop', 'select', 'from', 'Name'] },
    { rule: 'unique-without-tenant', sql: ['CREATE TABLE "Order" ("tenantId" int, "E-mail" text);', 'CREATE UNIQUE INDEX CONCURRENTLY "Order_E" ON "Order" ("E-mail");'], names: ['Order', 'tenantId', 'E-mail'], tenant: ['tenant_id'] },
    { rule: 'column-type-change', sql: [`${HOSTILE_TABLE} ALTER COLUMN "Amount €" TYPE numeric(12, 2);`], names: ['select', 'Amount €_new'] },
    { rule: 'json-column', sql: [`${HOSTILE_TABLE} ADD COLUMN "Data" json;`], names: ['select', 'Data', 'jsonb'] },
    { rule: 'destructive-statement', sql: ['DELETE FROM "Sales ""EU"""."select" RETURNING "ID";'], names: ['Sales "EU"', 'select', 'ID'] },
    { rule: 'detach-partition-not-concurrent', sql: [`${HOSTILE_TABLE} DETACH PARTITION "Sales ""EU"""."2023";`], names: ['select', '2023'] },
    { rule: 'domain-constraint', sql: ['ALTER DOMAIN "App"."Code" ADD CHECK (length(VALUE) < 10);'], names: ['App', 'Code'] },
  ];

  it.each(hostile)('$rule keeps names that need quotes exactly as PostgreSQL reads them', async ({ rule, sql, names, tenant }) => {
    const f = (await lint(sql, tenant)).find((x) => x.rule === rule);
    expect(f?.rewrite, JSON.stringify(f)).toBeTruthy();
    const ids = identifiersOf(f!.rewrite!);
    for (const n of names) expect(ids.has(n), `${n} in ${f!.rewrite}`).toBe(true);
  });

  /** The first rewritten statement as a tree, for asserting on what it keeps. */
  const firstStmt = async (sql: string, rule: LintRuleId, tenant?: string[]) => {
    const f = (await lint([sql], tenant)).find((x) => x.rule === rule)!;
    return { f, tree: statementsOf(f.rewrite!) };
  };

  it('marks NOT VALID on the constraint itself: multi-part ALTERs and trailing comments cannot swallow it', async () => {
    const { tree } = await firstStmt('ALTER TABLE items ADD COLUMN a int, ADD CONSTRAINT qty_pos CHECK (qty > 0), ALTER COLUMN note SET DEFAULT \'x\' -- why\n;', 'constraint-not-valid-missing');
    const cmds = (tree[0]!.AlterTableStmt!.cmds as { AlterTableCmd: { subtype: string; def?: { Constraint?: { skip_validation?: boolean; conname?: string } } } }[]).map((c) => c.AlterTableCmd);
    expect(cmds.map((c) => c.subtype)).toEqual(['AT_AddColumn', 'AT_AddConstraint', 'AT_ColumnDefault']);
    expect(cmds[1]!.def!.Constraint).toMatchObject({ conname: 'qty_pos', skip_validation: true });
    expect(tree[1]!.AlterTableStmt!.cmds).toMatchObject([{ AlterTableCmd: { subtype: 'AT_ValidateConstraint', name: 'qty_pos' } }]);
  });

  it('keeps the type details and the whole default expression of a volatile default', async () => {
    const { f } = await firstStmt('ALTER TABLE items ADD COLUMN tags uuid[] DEFAULT array[gen_random_uuid()], ADD COLUMN price numeric(10,2) DEFAULT (random() * 100)::numeric(10,2), ADD COLUMN h text DEFAULT md5(random()::text);', 'volatile-default');
    const ids = f.rewrite!;
    expect(ids).toMatch(/ADD COLUMN tags uuid\[\]/);
    expect(ids).toMatch(/SET DEFAULT ARRAY\[gen_random_uuid\(\)\]/);
    const all = (await lint(['ALTER TABLE items ADD COLUMN h text DEFAULT md5(random()::text);'])).find((x) => x.rule === 'volatile-default')!;
    expect(all.rewrite).toMatch(/SET DEFAULT md5\(\(?random\(\)\)?::text\)/);
    const price = (await lint(['ALTER TABLE items ADD COLUMN price numeric(10,2) DEFAULT random();'])).find((x) => x.rule === 'volatile-default')!;
    expect(price.rewrite).toMatch(/ADD COLUMN price numeric\(10, 2\);/);
  });

  it('puts WHERE before RETURNING in a DELETE rewrite, with a named placeholder', async () => {
    const { tree } = await firstStmt('DELETE FROM items RETURNING id;', 'destructive-statement');
    expect(tree[0]!.DeleteStmt).toMatchObject({ whereClause: { ColumnRef: { fields: [{ String: { sval: '<which rows to delete>' } }] } }, returningClause: { exprs: [{ ResTarget: {} }] } });
  });

  it('puts the profile tenant column (camelCase) first in a unique index rewrite, made CONCURRENTLY', async () => {
    const f = (await lint(['CREATE TABLE docs ("tenantId" uuid, slug text);', 'CREATE UNIQUE INDEX docs_slug ON docs (slug) WHERE slug IS NOT NULL;'], ['tenant_id'])).find((x) => x.rule === 'unique-without-tenant');
    const stmt = statementsOf(f!.rewrite!)[0]!.IndexStmt!;
    expect(stmt).toMatchObject({ concurrent: true, unique: true, indexParams: [{ IndexElem: { name: 'tenantId' } }, { IndexElem: { name: 'slug' } }], whereClause: {} });
  });
});
