/**
 * Resolve the tenant table and the tenant column names from the settings and the catalogs. A
 * given name that does not exist is a UserError naming the closest candidates; a detection that
 * finds nothing is a `problem` (the model loads, the checks refuse to run).
 */
import type { TenantCandidate } from '../../../shared/model.js';
import { UserError } from '../errors.js';
import { parseQualifiedName } from '../ident.js';
import type { CatalogColumn, CatalogTable } from './catalog.js';
import {
  TENANT_TABLE_STEMS, closeNames, countNames, detectTenantColumns, mostReferenced, rankTenantTables, spellings, tenantKey, typedName,
} from './detect.js';

/** The resolved tenant table, or why there is none. */
export interface TenantTableResolution {
  table: CatalogTable | null;
  key: CatalogColumn | null;
  how: 'given' | 'detected' | 'not-found';
  candidates: TenantCandidate[];
  problem: string | null;
  notes: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function refCount(t: CatalogTable, catalog: CatalogTable[]): number {
  return mostReferenced(catalog).find((x) => x.table === t)?.referencedBy ?? 0;
}

/** `public."Team"? (referenced by 31 tables)` for one table. */
function suggestion(t: CatalogTable, catalog: CatalogTable[]): string {
  return `${typedName(t.schema, t.table)} (referenced by ${plural(refCount(t, catalog), 'table')})`;
}

/** The given tenant table, or the best-ranked tenant-like table. */
export function resolveTenantTable(catalog: CatalogTable[], schemas: string[], given: string | undefined, columnHint: string[] = []): TenantTableResolution {
  const ranking = rankTenantTables(catalog);
  const candidates = ranking.map(({ eligible: _e, catalog: _c, ...c }) => c);
  const notes: string[] = [];
  if (given !== undefined) {
    let ref: { schema: string; table: string };
    try {
      ref = parseQualifiedName(given);
    } catch (err) {
      throw new UserError(`--tenant-table: ${(err as Error).message}`, 'usage');
    }
    const table = catalog.find((t) => t.schema === ref.schema && t.table === ref.table);
    if (!table) {
      // Close table names first (same name in another case or schema, a typo), then the detected winner.
      const close = catalog.filter((t) => closeNames(ref.table, [t.table]).length > 0)
        .sort((a, b) => Number(b.table.toLowerCase() === ref.table.toLowerCase()) - Number(a.table.toLowerCase() === ref.table.toLowerCase()) ||
          Number(b.schema === ref.schema) - Number(a.schema === ref.schema) || refCount(b, catalog) - refCount(a, catalog));
      const best = [...close, ...ranking.filter((r) => r.eligible).map((r) => r.catalog)].filter((t, i, a) => a.indexOf(t) === i).slice(0, 3);
      const hint = best.length > 0 ? `; did you mean ${best.map((t) => suggestion(t, catalog)).join(', or ')}?` : '; check --tenant-table or --schema';
      throw new UserError(`tenant table ${typedName(ref.schema, ref.table)} not found in schemas ${schemas.join(', ')}${hint}`, 'usage');
    }
    const key = tenantKey(table, catalog);
    if (!key) {
      throw new UserError(`tenant table ${typedName(table.schema, table.table)} has no single-column primary key or unique key for tenant ids to reference; add one, or give another --tenant-table`, 'usage');
    }
    for (const c of candidates) c.chosen = c.table === `${table.schema}.${table.table}`;
    return { table, key, how: 'given', candidates, problem: null, notes };
  }
  const byColumn = columnHint.length > 0 ? tableReferencedBy(catalog, columnHint) : null;
  if (byColumn) {
    const [t, n] = byColumn;
    const c = candidates.find((x) => x.table === `${t.schema}.${t.table}`);
    if (c) c.chosen = true;
    notes.push(`tenant table detected: ${t.schema}.${t.table} (the given tenant column references it on ${plural(n, 'table')})`);
    return { table: t, key: tenantKey(t, catalog), how: 'detected', candidates, problem: null, notes };
  }
  const winner = ranking[0]?.eligible ? ranking[0] : undefined;
  if (winner) {
    candidates[0]!.chosen = true;
    const runnerUp = ranking[1];
    notes.push(`tenant table detected: ${winner.table} (${winner.reason}${runnerUp ? `; next: ${runnerUp.table}, ${runnerUp.reason}` : ''})`);
    return { table: winner.catalog, key: tenantKey(winner.catalog, catalog), how: 'detected', candidates, problem: null, notes };
  }
  const tried = TENANT_TABLE_STEMS.map((s) => (s.endsWith('y') ? `${s.slice(0, -1)}ies` : `${s}s`)).join(', ');
  const lookalikes = ranking.slice(0, 3).map((r) => `${r.typed}: ${r.reason}`);
  const referenced = mostReferenced(catalog).slice(0, 3).map((x) => suggestion(x.table, catalog));
  const problem = `no tenant table found in schemas ${schemas.join(', ')}: no table named like ${tried} (singular or plural, any case) is referenced by other tables` +
    `${lookalikes.length > 0 ? ` (${lookalikes.join('; ')})` : ''}` +
    `${referenced.length > 0 ? `; most referenced: ${referenced.join(', ')}` : ''}; give --tenant-table`;
  return { table: null, key: null, how: 'not-found', candidates, problem, notes };
}

/** The table the FKs of the given tenant column names point at most, with how many tables do. */
function tableReferencedBy(catalog: CatalogTable[], names: string[]): [CatalogTable, number] | null {
  const wanted = new Set(names.flatMap(spellings));
  const counts = new Map<CatalogTable, number>();
  for (const t of catalog) {
    for (const fk of t.foreignKeys) {
      if (fk.columns.length !== 1 || !wanted.has(fk.columns[0]!)) continue;
      const target = catalog.find((x) => x.schema === fk.refSchema && x.table === fk.refTable);
      if (target && target !== t) counts.set(target, (counts.get(target) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? null;
}

/** The resolved tenant column names, or why there are none. */
export interface TenantColumnResolution {
  names: string[];
  how: 'given' | 'detected' | 'not-found';
  problem: string | null;
  notes: string[];
}

/** Split a --tenant-column value: "a, b" -> [a, b]. */
export function splitColumns(given: string): string[] {
  return given.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The given tenant column names (with their snake/camel forms), each present on some table, or
 * the detected ones. A given name on no table is a UserError with the closest names in use.
 */
export function resolveTenantColumns(catalog: CatalogTable[], tenantTable: CatalogTable | null, key: CatalogColumn | null, given: string | undefined): TenantColumnResolution {
  const detected = detectTenantColumns(catalog, tenantTable, key?.name ?? null);
  const notes: string[] = [];
  if (given !== undefined) {
    const names = splitColumns(given);
    if (names.length === 0) throw new UserError('--tenant-column is empty; give a column name, or a comma-separated list', 'usage');
    const all = catalog.filter((t) => t !== tenantTable).flatMap((t) => t.columns.map((c) => c.name));
    const onTables = (n: string) => catalog.filter((t) => t !== tenantTable && t.columns.some((c) => c.name === n)).length;
    for (const n of names) {
      if (spellings(n).some((s) => onTables(s) > 0)) continue;
      const close = [...new Set([...closeNames(n, all), ...detected.names])].slice(0, 3);
      const hint = close.length > 0 ? `; did you mean ${close.map((c) => `${c} (on ${plural(onTables(c), 'table')})`).join(', or ')}?` : '';
      throw new UserError(`tenant column ${n} is on no table in scope${hint}`, 'usage');
    }
    const found = countNames(catalog, tenantTable, [...new Set(names.flatMap(spellings))], 'given');
    const others = detected.names.filter((n) => !found.names.includes(n));
    if (others.length > 0 && tenantTable) {
      notes.push(`other columns reference ${tenantTable.schema}.${tenantTable.table}: ${others.map((n) => `${n} (${plural(detected.counts.get(n)!, 'table')})`).join(', ')}; add them to --tenant-column to check those tables as tenant tables`);
    }
    return { names: found.names, how: 'given', problem: null, notes };
  }
  if (detected.names.length === 0) {
    const where = tenantTable ? `for ${typedName(tenantTable.schema, tenantTable.table)}` : '';
    const problem = tenantTable
      ? `no tenant column found ${where}: no foreign key references ${tenantTable.schema}.${tenantTable.table}(${key?.name}) and no table has a column named like ${detected.how === 'given' ? '' : 'organization_id/org_id/tenant_id (or camelCase)'}; give --tenant-column`
      : 'no tenant column found: no table has organization_id, org_id, tenant_id or their camelCase forms; give --tenant-column';
    return { names: [], how: 'not-found', problem, notes };
  }
  notes.push(`tenant column${detected.names.length > 1 ? 's' : ''} detected ${detected.how}: ${detected.names.map((n) => `${n} (${plural(detected.counts.get(n)!, 'table')})`).join(', ')}`);
  return { names: detected.names, how: 'detected', problem: null, notes };
}
