/**
 * Migration folders for tests, laid out the way each tool lays them out, in temp directories.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MigrationKind } from '../../shared/migrations.js';

/** One migration to write: a key (file/folder/tag/version name) and its SQL. */
export interface FixtureMigration {
  name: string;
  sql: string;
}

/** A folder written for one kind, and how to find each migration's file again. */
export interface FixtureFolder {
  /** What to pass as --dir. */
  dir: string;
  /** The path of migration number i (0-based). */
  fileOf(i: number): string;
  /** The ledger id the console reports for migration i. */
  idOf(i: number): string;
  /** Add another migration at the end. */
  add(m: FixtureMigration): void;
}

/** A fresh temp directory. */
export function tempDir(prefix = 'tenancy-mig-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Write `migrations` as a folder of `kind`. Drizzle `when` values are 1700000000000 + i * 1000. */
export function writeFolder(kind: MigrationKind, migrations: FixtureMigration[]): FixtureFolder {
  const root = tempDir();
  const list: FixtureMigration[] = [];
  const drizzleTag = (i: number) => `${String(i).padStart(4, '0')}_${list[i]!.name}`;
  const supabaseVersion = (i: number) => `2025090400000${i + 1}`;
  const layout = {
    plain: { dir: root, file: (i: number) => path.join(root, `${String(i + 1).padStart(3, '0')}_${list[i]!.name}.sql`), id: (i: number) => `${String(i + 1).padStart(3, '0')}_${list[i]!.name}.sql` },
    drizzle: { dir: root, file: (i: number) => path.join(root, 'drizzle', `${drizzleTag(i)}.sql`), id: drizzleTag },
    prisma: { dir: root, file: (i: number) => path.join(root, 'prisma', 'migrations', `2025090400000${i + 1}_${list[i]!.name}`, 'migration.sql'), id: (i: number) => `2025090400000${i + 1}_${list[i]!.name}` },
    supabase: { dir: root, file: (i: number) => path.join(root, 'supabase', 'migrations', `${supabaseVersion(i)}_${list[i]!.name}.sql`), id: supabaseVersion },
  }[kind];
  const writeJournal = () => {
    const journal = {
      version: '7',
      dialect: 'postgresql',
      entries: list.map((_, i) => ({ idx: i, version: '7', when: 1700000000000 + i * 1000, tag: drizzleTag(i), breakpoints: true })),
    };
    fs.mkdirSync(path.join(root, 'drizzle', 'meta'), { recursive: true });
    fs.writeFileSync(path.join(root, 'drizzle', 'meta', '_journal.json'), JSON.stringify(journal, null, 2));
  };
  const folder: FixtureFolder = {
    dir: layout.dir,
    fileOf: (i) => layout.file(i),
    idOf: (i) => layout.id(i),
    add(m) {
      list.push(m);
      const file = layout.file(list.length - 1);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, m.sql);
      if (kind === 'drizzle') writeJournal();
      if (kind === 'prisma') fs.writeFileSync(path.join(root, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
    },
  };
  for (const m of migrations) folder.add(m);
  if (kind === 'drizzle' && migrations.length === 0) writeJournal();
  return folder;
}
