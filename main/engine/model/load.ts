/**
 * Build the tenancy model of the connected database from the catalogs and the operator's settings.
 */
import type { ModelSettings, ModelSummary, TableInfo, TableRef, TenancyModel } from '../../../shared/model.js';
import { CONSOLE_SCHEMA } from '../config.js';
import { UserError } from '../errors.js';
import { parseQualifiedName } from '../ident.js';
import type { Session } from '../session.js';
import { readCatalog, readNullFractions, readServerFacts, type CatalogTable } from './catalog.js';
import { PLATFORM_SCHEMAS, autoGlobalReason, closeNames, tableTenantColumn, tenantNameColumn, typedName } from './detect.js';
import { readCitusCluster, readPlacements, readShardFacts } from './citus.js';
import { assignScopePaths } from './paths.js';
import { resolveTenantColumns, resolveTenantTable, splitColumns } from './resolve.js';

function parseTableRef(text: string, what: string): TableRef {
  try {
    const { schema, table } = parseQualifiedName(text);
    return { schema, table };
  } catch (err) {
    throw new UserError(`${what}: ${(err as Error).message}`, 'usage');
  }
}

/**
 * Load the model: schemas in scope, tenant table and column (given or detected), global tables,
 * and every table's tenancy facts. A given tenant table or schema that does not exist is a UserError.
 */
export async function loadModel(session: Session, settings: ModelSettings = {}): Promise<TenancyModel> {
  const notes: string[] = [];
  const server = await readServerFacts(session);
  const existing = server.schemas;
  let schemas: string[];
  if (settings.schemas && settings.schemas.length > 0) {
    const missing = settings.schemas.filter((s) => !existing.includes(s));
    if (missing.length > 0) {
      throw new UserError(`schema ${missing.map((s) => `"${s}"`).join(', ')} not found in database ${session.fingerprint.database}; schemas: ${existing.join(', ')}`, 'usage');
    }
    schemas = settings.schemas;
  } else {
    schemas = existing.filter((s) => s !== CONSOLE_SCHEMA && !PLATFORM_SCHEMAS.has(s));
    const platform = existing.filter((s) => PLATFORM_SCHEMAS.has(s) && s !== CONSOLE_SCHEMA);
    if (platform.length > 0) notes.push(`platform schemas left out of scope: ${platform.join(', ')} (add them with --schema)`);
  }

  const catalog = await readCatalog(session, schemas);
  const find = (ref: TableRef) => catalog.find((t) => t.schema === ref.schema && t.table === ref.table);

  const givenColumns = settings.tenantColumn !== undefined ? splitColumns(settings.tenantColumn) : [];
  const tt = resolveTenantTable(catalog, schemas, settings.tenantTable, givenColumns);
  notes.push(...tt.notes);
  const tenantTable = tt.table;
  const tenantTableHow = tt.how;
  const cols = resolveTenantColumns(catalog, tenantTable, tt.key, settings.tenantColumn);
  notes.push(...cols.notes);
  const tenantColumns = cols.names;
  const tenantColumn = tenantColumns[0] ?? null;
  const tenantColumnHow = cols.how;
  const problem = tt.problem ?? cols.problem;

  const declaredGlobals = (settings.globalTables ?? []).map((g) => parseTableRef(g, '--global-tables'));
  for (const g of declaredGlobals) {
    if (find(g)) continue;
    const close = catalog.filter((t) => closeNames(g.table, [t.table]).length > 0);
    const hint = close.length > 0 ? `; did you mean ${close.slice(0, 3).map((t) => typedName(t.schema, t.table)).join(', or ')}?` : '';
    throw new UserError(`global table ${typedName(g.schema, g.table)} not found in schemas ${schemas.join(', ')}${hint}`, 'usage');
  }
  const isDeclaredGlobal = (t: CatalogTable) => declaredGlobals.some((g) => g.schema === t.schema && g.table === t.table);

  const declaredBy = settings.globalUniquesDeclaredBy ?? '--global-uniques';
  const globalUniques = (settings.globalUniques ?? []).map((g) => ({ ...resolveGlobalUnique(g, catalog, schemas), declaredBy }));

  const partitioned = new Set(catalog.filter((t) => t.partitioned).map((t) => `${t.schema}.${t.table}`));
  const nullFracs = tenantColumns.length > 0 ? await readNullFractions(session, schemas, tenantColumns, partitioned) : new Map<string, number>();

  // On Citus: placements, and sizes, estimates and NULL fractions from the shards instead of the empty shell tables.
  const cluster = await readCitusCluster(session, server.citusVersion);
  const placements = cluster ? await readPlacements(session, catalog.map((t) => t.oid)) : new Map<number, TableInfo['citus']>();
  const sharded = cluster ? catalog.filter((t) => placements.get(t.oid)?.kind === 'distributed' || placements.get(t.oid)?.kind === 'reference') : [];
  const shardFacts = await readShardFacts(session, sharded.map((t) => t.oid), schemas, tenantColumns);
  if (cluster) notes.push(`Citus ${cluster.citusVersion} with ${cluster.workers} worker(s): ${sharded.length} table(s) distributed or reference; their sizes and estimates are read from the shards`);

  const globals: TableRef[] = [];
  const tables: TableInfo[] = catalog.map((t) => {
    const placement = placements.get(t.oid) ?? null;
    const shards = shardFacts.get(t.oid);
    const col = t === tenantTable ? null : tableTenantColumn(t, tenantColumns, tenantTable, tt.key?.name ?? null);
    let role: TableInfo['role'];
    let roleReason: string;
    if (t === tenantTable) {
      role = 'tenant-table';
      roleReason = tenantTableHow === 'given' ? 'given as the tenant table' : 'detected as the tenant table';
    } else if (isDeclaredGlobal(t)) {
      role = 'global';
      roleReason = 'declared global';
    } else if (placement?.kind === 'reference') {
      role = 'global';
      roleReason = 'Citus reference table (a copy on every node: shared by definition)';
    } else if (col) {
      role = 'tenant';
      roleReason = `has tenant column ${col.name}`;
    } else if (autoGlobalReason(t)) {
      role = 'global';
      roleReason = autoGlobalReason(t)!;
    } else {
      role = 'unscoped';
      roleReason = tenantColumn ? `no ${tenantColumns.join('/')} column and not declared global` : 'no tenant column known';
    }
    if (role === 'global') globals.push({ schema: t.schema, table: t.table });
    const tenantFk = col && tenantTable
      ? t.foreignKeys.find((fk) => fk.refSchema === tenantTable.schema && fk.refTable === tenantTable.table && fk.columns.length === 1 && fk.columns[0] === col.name)
        ?? t.foreignKeys.find((fk) => fk.refSchema === tenantTable.schema && fk.refTable === tenantTable.table && fk.columns.includes(col.name))
      : undefined;
    return {
      schema: t.schema,
      table: t.table,
      oid: t.oid,
      partitioned: t.partitioned,
      partitions: t.partitions,
      role,
      roleReason,
      estimatedRows: shards ? shards.estimatedRows : t.estimatedRows,
      sizeBytes: shards ? shards.sizeBytes : t.sizeBytes,
      primaryKey: t.primaryKey,
      columns: t.columns.map((c) => c.name),
      tenantColumn: col
        ? { name: col.name, type: col.type, nullable: !col.notNull, default: col.default, nullFrac: (shards ? shards.nullFrac.get(col.name) : nullFracs.get(`${t.schema}.${t.table}.${col.name}`)) ?? null }
        : null,
      tenantForeignKey: tenantFk?.name ?? null,
      tenantPath: null,
      foreignKeys: t.foreignKeys,
      uniqueKeys: t.uniqueKeys,
      indexes: t.indexes,
      rlsEnabled: t.rlsEnabled,
      rlsForced: t.rlsForced,
      policies: t.policies.map((p) => ({
        name: p.name, command: p.command, permissive: p.permissive, roles: p.roles, using: p.using,
        withCheck: p.withCheck, referencesTenantColumn: col ? p.referencedColumns.includes(col.name) : false,
      })),
      readable: t.readable,
      owner: t.owner,
      readers: t.readers,
      citus: placement,
    };
  });

  const catalogOf = new Map(catalog.map((c) => [c.oid, c]));
  assignScopePaths(tables, (t, column) => catalogOf.get(t.oid)?.columns.find((c) => c.name === column)?.notNull ?? false);

  for (const t of catalog.filter((c) => c.lockedBy !== null)) {
    notes.push(`${t.schema}.${t.table} is locked ACCESS EXCLUSIVE by pid ${t.lockedBy}: its index, default and policy texts were not read; its scan will wait up to lock_timeout`);
  }
  const unscoped = tables.filter((t) => t.role === 'unscoped');
  if (unscoped.length > 0 && settings.globalTables === undefined) {
    notes.push(`tables without a tenant column: ${unscoped.map((t) => `${t.schema}.${t.table}`).join(', ')}; declare shared ones with --global-tables`);
  }

  const platform = server.supabase ? 'supabase' : null;
  if (platform === 'supabase') notes.push('Supabase: auth.uid() and the authenticated role exist; the isolation probe impersonates a member, and RLS need not be forced on tables only anon/authenticated read');

  return {
    schemas,
    platform,
    tenantTable: tenantTable && tt.key
      ? { schema: tenantTable.schema, table: tenantTable.table, keyColumn: tt.key.name, keyType: tt.key.type, nameColumn: tenantNameColumn(tenantTable) }
      : null,
    tenantColumn,
    tenantColumns,
    globalTables: globals,
    cluster,
    globalUniques,
    detection: {
      schemas: settings.schemas && settings.schemas.length > 0 ? 'given' : 'detected',
      tenantTable: tenantTableHow,
      tenantColumn: tenantColumnHow,
      globalTables: settings.globalTables ? 'given' : 'detected',
      notes,
      candidates: tt.candidates,
      problem,
    },
    tables,
  };
}

/** Resolve one --global-uniques entry (schema.table.column, or table.column in public); a name that does not exist is a UserError. */
function resolveGlobalUnique(text: string, catalog: CatalogTable[], schemas: string[]): { schema: string; table: string; column: string } {
  const dot = text.lastIndexOf('.');
  if (dot <= 0) throw new UserError(`--global-uniques ${text}: write schema.table.column`, 'usage');
  const ref = parseTableRef(text.slice(0, dot), '--global-uniques');
  const column = text.slice(dot + 1).replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
  const t = catalog.find((c) => c.schema === ref.schema && c.table === ref.table);
  if (!t) {
    const close = catalog.filter((c) => closeNames(ref.table, [c.table]).length > 0).slice(0, 3).map((c) => typedName(c.schema, c.table));
    throw new UserError(`--global-uniques ${text}: table ${typedName(ref.schema, ref.table)} not found in schemas ${schemas.join(', ')}${close.length ? `; did you mean ${close.join(', or ')}?` : ''}`, 'usage');
  }
  if (!t.columns.some((c) => c.name === column)) {
    const close = closeNames(column, t.columns.map((c) => c.name)).slice(0, 3);
    throw new UserError(`--global-uniques ${text}: ${typedName(t.schema, t.table)} has no column ${column}${close.length ? `; did you mean ${close.join(', or ')}?` : ''}`, 'usage');
  }
  return { schema: t.schema, table: t.table, column };
}

/** The short form of a model that goes into check results and reports. */
export function summarizeModel(model: TenancyModel): ModelSummary {
  return {
    schemas: model.schemas,
    tenantTable: model.tenantTable ? `${model.tenantTable.schema}.${model.tenantTable.table}` : null,
    tenantColumn: model.tenantColumn,
    tenantColumns: model.tenantColumns,
    globalTables: model.globalTables.map((g) => `${g.schema}.${g.table}`),
    detection: model.detection,
    tables: model.tables.length,
    tenantTables: model.tables.filter((t) => t.role === 'tenant').length,
    scopedTables: model.tables.filter((t) => t.role === 'scoped').length,
    unscopedTables: model.tables.filter((t) => t.role === 'unscoped').length,
    rlsTables: model.tables.filter((t) => t.rlsEnabled).length,
  };
}

/**
 * Refuse an incomplete model: a UserError with the one line saying what was tried and the best
 * candidates. Every check, distribution and probe calls it first, so no run "passes" unchecked.
 */
export function requireCompleteModel(model: TenancyModel): asserts model is TenancyModel & { tenantTable: NonNullable<TenancyModel['tenantTable']>; tenantColumn: string } {
  if (model.detection.problem) throw new UserError(model.detection.problem, 'usage');
  if (!model.tenantTable) throw new UserError('no tenant table known; give --tenant-table', 'usage');
  if (!model.tenantColumn) throw new UserError('no tenant column known; give --tenant-column', 'usage');
}
