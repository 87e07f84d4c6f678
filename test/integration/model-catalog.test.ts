import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../main/engine/model/catalog.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

// Keys and indexes come from the catalogs as attnums and are named from the columns read: a dropped
// column shifts attnums, composite keys keep their order, an FK may reference a table out of scope.
const FIXTURE = `
  CREATE SCHEMA "Out; side";
  CREATE TABLE "Out; side"."Régions" (zone text, "n""o" int, spare int, PRIMARY KEY (zone, "n""o"));
  CREATE SCHEMA app;
  CREATE TABLE app.orgs (id int PRIMARY KEY, name text);
  CREATE TABLE app."Items" (gone int, id bigint, "Org Id" int REFERENCES app.orgs, zone text, "n""o" int, code text, note text,
    PRIMARY KEY ("Org Id", id),
    CONSTRAINT "fk; région" FOREIGN KEY ("n""o", zone) REFERENCES "Out; side"."Régions" ("n""o", zone));
  ALTER TABLE app."Items" DROP COLUMN gone;
  CREATE UNIQUE INDEX "by lower code" ON app."Items" ("Org Id", lower(code)) INCLUDE (note) WHERE code IS NOT NULL;
  CREATE INDEX "plain" ON app."Items" (zone, "n""o");
`;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
});
afterAll(async () => {
  await db?.drop();
});

describe('readCatalog', () => {
  it('names key, FK and index columns in order, expressions as text, across a dropped column and a table out of scope', async () => {
    const s = await db.session();
    const items = (await readCatalog(s, ['app'])).find((t) => t.table === 'Items')!;
    await s.close();
    expect(items.columns.map((c) => c.name)).toEqual(['id', 'Org Id', 'zone', 'n"o', 'code', 'note']);
    expect(items.primaryKey).toEqual(['Org Id', 'id']);
    expect(items.foreignKeys.map((f) => [f.name, f.columns, `${f.refSchema}.${f.refTable}`, f.refColumns])).toEqual([
      ['Items_Org Id_fkey', ['Org Id'], 'app.orgs', ['id']],
      ['fk; région', ['n"o', 'zone'], 'Out; side.Régions', ['n"o', 'zone']],
    ]);
    const byName = new Map(items.indexes.map((i) => [i.name, i]));
    expect(byName.get('by lower code')).toMatchObject({ leadingColumn: 'Org Id', unique: true, partial: true });
    expect(byName.get('by lower code')!.definition).toBe('CREATE UNIQUE INDEX "by lower code" ON "app"."Items" USING btree ("Org Id", (lower(code))) INCLUDE ("note") WHERE (code IS NOT NULL)');
    expect(byName.get('plain')!.definition).toBe('CREATE INDEX "plain" ON "app"."Items" USING btree ("zone", "n""o")');
    const unique = items.uniqueKeys.find((u) => u.name === 'by lower code')!;
    expect(unique).toMatchObject({ kind: 'index', keys: ['Org Id', 'lower(code)'], keyIsColumn: [true, false], include: ['note'], primary: false });
    expect(items.uniqueKeys.find((u) => u.primary)).toMatchObject({ name: 'Items_pkey', kind: 'constraint', keys: ['Org Id', 'id'], include: [] });
  });
});
