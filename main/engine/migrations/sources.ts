/**
 * Migration folders: detect which tool's layout a folder follows (plain .sql files, Drizzle,
 * Prisma, Supabase) and read its migrations in the order the tool applies them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { LedgerRef, MigrationKind } from '../../../shared/migrations.js';
import { CONSOLE_SCHEMA } from '../config.js';
import { UserError } from '../errors.js';

/** One migration the folder declares. */
export interface MigrationFile {
  /** Ledger key: file name (plain), journal tag (Drizzle), folder name (Prisma), version (Supabase). */
  id: string;
  name: string;
  /** Path relative to the source folder; null when declared (Drizzle journal) but absent. */
  file: string | null;
  sql: string | null;
  /** sha256 hex of the file's bytes, as Drizzle and Prisma record it. */
  checksum: string | null;
  /** Drizzle: the journal's `when` (ms), which drizzle-orm stores as created_at. */
  when?: number;
}

/** A migration folder as its tool sees it. */
export interface MigrationSource {
  kind: MigrationKind;
  /** Absolute path of the folder holding the migrations. */
  dir: string;
  ledger: LedgerRef;
  migrations: MigrationFile[];
  /** Drizzle: .sql files in the folder that the journal does not list (drizzle-orm never runs them). */
  strays: string[];
}

/** Where to look and which ledger to use; everything is detected unless given. */
export interface SourceOptions {
  kind?: MigrationKind;
  /** Ledger schema override (Drizzle migrationsSchema, Prisma's ?schema=). */
  ledgerSchema?: string;
  /** Ledger table override (Drizzle migrationsTable). */
  ledgerTable?: string;
}

/** sha256 hex of a string's UTF-8 bytes. */
export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
const isFile = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function detect(dir: string): { kind: MigrationKind; dir: string } | null {
  if (isFile(path.join(dir, 'meta', '_journal.json'))) return { kind: 'drizzle', dir };
  if (isFile(path.join(dir, 'drizzle', 'meta', '_journal.json'))) return { kind: 'drizzle', dir: path.join(dir, 'drizzle') };
  if (isDir(path.join(dir, 'prisma', 'migrations'))) return { kind: 'prisma', dir: path.join(dir, 'prisma', 'migrations') };
  if (isFile(path.join(dir, 'migration_lock.toml'))) return { kind: 'prisma', dir };
  if ((isFile(path.join(dir, 'schema.prisma')) || isFile(path.join(dir, 'migrations', 'migration_lock.toml'))) && isDir(path.join(dir, 'migrations'))) return { kind: 'prisma', dir: path.join(dir, 'migrations') };
  if (isDir(path.join(dir, 'supabase', 'migrations'))) return { kind: 'supabase', dir: path.join(dir, 'supabase', 'migrations') };
  if (path.basename(dir) === 'supabase' && isDir(path.join(dir, 'migrations'))) return { kind: 'supabase', dir: path.join(dir, 'migrations') };
  if (path.basename(dir) === 'migrations' && path.basename(path.dirname(dir)) === 'supabase') return { kind: 'supabase', dir };
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isDirectory() && isFile(path.join(dir, e.name, 'migration.sql')))) return { kind: 'prisma', dir };
  if (entries.some((e) => e.isFile() && e.name.endsWith('.sql'))) return { kind: 'plain', dir };
  return null;
}

function defaultLedger(kind: MigrationKind, o: SourceOptions): LedgerRef {
  switch (kind) {
    case 'plain':
      return { schema: CONSOLE_SCHEMA, table: 'schema_migrations' };
    case 'drizzle':
      return { schema: o.ledgerSchema ?? 'drizzle', table: o.ledgerTable ?? '__drizzle_migrations' };
    case 'prisma':
      return { schema: o.ledgerSchema ?? 'public', table: '_prisma_migrations' };
    case 'supabase':
      return { schema: 'supabase_migrations', table: 'schema_migrations' };
  }
}

function readText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/**
 * `rel` inside `dir`, or a one-line refusal: a journal tag like `../../etc/x`, or a symlink out of
 * the folder, must not make the console read (and show) a file outside the migration folder.
 */
export function containedFile(dir: string, rel: string): string {
  const root = path.resolve(dir);
  const file = path.resolve(root, rel);
  const inside = (p: string, r: string) => p.startsWith(r + path.sep);
  let realInside = true;
  try {
    realInside = inside(fs.realpathSync(file), fs.realpathSync(root));
  } catch {
    // missing: reported as missing by the caller
  }
  if (!inside(file, root) || !realInside) {
    throw new UserError(`${rel} is outside the migration folder ${root}; every migration file must live in that folder (check the journal entry or the symlink)`, 'usage');
  }
  return file;
}

function fileMigration(dir: string, rel: string, id: string, name: string): MigrationFile {
  const sql = readText(containedFile(dir, rel));
  return { id, name, file: rel, sql, checksum: sha256(sql) };
}

/**
 * Refuse two files that claim one id: a tool keyed on that id would run one of them never (or
 * record one with the other's statements). One line naming both files.
 */
function refuseCollisions(dir: string, names: readonly string[], idOf: (name: string) => string | null, what: string, why: string): void {
  const seen = new Map<string, string>();
  for (const n of names) {
    const id = idOf(n);
    if (id === null) continue;
    const first = seen.get(id);
    if (first !== undefined) throw new UserError(`${dir}: ${first} and ${n} have the same ${what} ${id}; ${why}; renumber one of them`, 'usage');
    seen.set(id, n);
  }
}

const PLAIN_NUMBER = /^(\d+)(?=[_\-.])/;

function readPlain(dir: string): MigrationFile[] {
  const names = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.sql') && !e.name.endsWith('.down.sql'))
    .map((e) => e.name)
    .sort(byName);
  refuseCollisions(dir, names, (n) => PLAIN_NUMBER.exec(n)?.[1]!.replace(/^0+(?=\d)/, '') ?? null, 'number',
    'the order between them is an accident of their names');
  return names.map((n) => fileMigration(dir, n, n, n.replace(/\.sql$/, '')));
}

const JournalSchema = z.object({
  entries: z.array(z.object({ idx: z.number(), when: z.number(), tag: z.string(), breakpoints: z.boolean().optional() })),
});

function readDrizzle(dir: string): { migrations: MigrationFile[]; strays: string[] } {
  const journalPath = path.join(dir, 'meta', '_journal.json');
  let journal: z.infer<typeof JournalSchema>;
  try {
    journal = JournalSchema.parse(JSON.parse(readText(journalPath)));
  } catch (err) {
    throw new UserError(`${journalPath} is not a Drizzle journal (${(err as Error).message.split('\n')[0]}); fix or regenerate it with drizzle-kit`, 'usage');
  }
  refuseCollisions(journalPath, journal.entries.map((e) => e.tag), (t) => t, 'tag', 'drizzle-orm would run that file twice');
  const listed = new Set<string>();
  const migrations = journal.entries.map((e): MigrationFile => {
    const rel = `${e.tag}.sql`;
    listed.add(rel);
    if (!isFile(containedFile(dir, rel))) return { id: e.tag, name: e.tag, file: null, sql: null, checksum: null, when: e.when };
    return { ...fileMigration(dir, rel, e.tag, e.tag), when: e.when };
  });
  const strays = fs.readdirSync(dir).filter((n) => n.endsWith('.sql') && !listed.has(n)).sort(byName);
  return { migrations, strays };
}

function readPrisma(dir: string): MigrationFile[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isFile(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort(byName)
    .map((n) => fileMigration(dir, path.join(n, 'migration.sql'), n, n));
}

const SUPABASE_FILE = /^([0-9]+)_(.*)\.sql$/;

function readSupabase(dir: string): MigrationFile[] {
  const names = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && SUPABASE_FILE.test(e.name))
    .map((e) => e.name)
    .sort(byName);
  refuseCollisions(dir, names, (n) => SUPABASE_FILE.exec(n)![1]!, 'version',
    'the Supabase CLI keys its ledger by version, so one would never run');
  return names
    .map((n) => {
      const m = SUPABASE_FILE.exec(n)!;
      return fileMigration(dir, n, m[1]!, m[2]!);
    });
}

/**
 * Read a migration folder: detect its kind (unless given) and list its migrations in apply order.
 * Throws a UserError naming the folder when it holds no migrations.
 */
export function readSource(dirInput: string, o: SourceOptions = {}): MigrationSource {
  const abs = path.resolve(dirInput);
  if (!isDir(abs)) throw new UserError(`migration folder ${abs} does not exist; pass --dir PATH`, 'usage');
  const found = o.kind ? { kind: o.kind, dir: detect(abs)?.kind === o.kind ? detect(abs)!.dir : abs } : detect(abs);
  if (!found) {
    throw new UserError(`no migrations in ${abs}: expected .sql files, meta/_journal.json (Drizzle), prisma/migrations or supabase/migrations`, 'usage');
  }
  const ledger = defaultLedger(found.kind, o);
  switch (found.kind) {
    case 'plain':
      return { kind: 'plain', dir: found.dir, ledger, migrations: readPlain(found.dir), strays: [] };
    case 'drizzle':
      return { kind: 'drizzle', dir: found.dir, ledger, ...readDrizzle(found.dir) };
    case 'prisma':
      return { kind: 'prisma', dir: found.dir, ledger, migrations: readPrisma(found.dir), strays: [] };
    case 'supabase':
      return { kind: 'supabase', dir: found.dir, ledger, migrations: readSupabase(found.dir), strays: [] };
  }
}
