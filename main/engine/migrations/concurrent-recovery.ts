/**
 * After a fault in CREATE/DROP INDEX CONCURRENTLY, what the server kept: a terminated build
 * leaves an INVALID index (drop it, build again); a build whose client was killed may still finish
 * on the server and leave a VALID index the ledger does not know (record it, when it is the index
 * the file defines); a drop may have finished unrecorded (nothing left to drop). Read from the
 * catalogs, compared with the real parser.
 */
import { quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { parseStatements, stringList, type ParsedStatement } from './parse.js';

/** An index a CONCURRENTLY statement names, as the catalog has it. */
export interface IndexState {
  /** schema.name, quoted, for statements. */
  qualified: string;
  name: string;
  valid: boolean;
  definition: string;
}

/** What to do before running an unrecorded CONCURRENTLY statement again. */
export type Recovery =
  | { action: 'run' }
  | { action: 'drop-invalid-then-run'; index: IndexState }
  | { action: 'record'; message: string }
  | { action: 'refuse'; message: string };

const relationText = (r: { schemaname?: string; relname?: string }) =>
  (r.schemaname ? `${quoteIdent(r.schemaname)}.` : '') + quoteIdent(r.relname ?? '');

/** The index named by a CREATE INDEX statement, if it exists on its table now. */
async function namedIndex(session: Session, stmt: ParsedStatement): Promise<IndexState | null> {
  const n = stmt.node as { idxname?: string; relation?: { schemaname?: string; relname?: string } };
  if (!n.idxname || !n.relation?.relname) return null;
  const { rows } = await session.query<{ schema: string; name: string; valid: boolean; def: string }>(
    `SELECT ns.nspname AS schema, c.relname AS name, i.indisvalid AS valid, pg_catalog.pg_get_indexdef(i.indexrelid) AS def
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
      WHERE i.indrelid = to_regclass($1) AND c.relname = $2`, [relationText(n.relation), n.idxname]);
  const r = rows[0];
  return r ? { qualified: `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`, name: r.name, valid: r.valid, definition: r.def } : null;
}

function stripLocations(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripLocations);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => k !== 'location').map(([k, x]) => [k, stripLocations(x)]));
}

/** The parts of an IndexStmt that define the index (not its name, schema, CONCURRENTLY or IF NOT EXISTS). */
function shape(node: Record<string, unknown>): string {
  const rel = node.relation as { relname?: string } | undefined;
  return JSON.stringify(stripLocations({
    table: rel?.relname, unique: !!node.unique, method: node.accessMethod ?? 'btree', params: node.indexParams ?? [],
    include: node.indexIncludingParams ?? [], where: node.whereClause ?? null, nullsNotDistinct: !!node.nulls_not_distinct,
  }));
}

/** Whether the catalog's definition is the index `stmt` defines (same table, keys, method, predicate). */
export async function sameIndex(definition: string, stmt: ParsedStatement): Promise<boolean> {
  const [existing] = await parseStatements(definition);
  return !!existing && existing.type === 'IndexStmt' && shape(existing.node) === shape(stmt.node);
}

/** Decide what to do with a CONCURRENTLY statement that no earlier attempt recorded as completed. */
export async function recoverConcurrent(session: Session, stmt: ParsedStatement): Promise<Recovery> {
  const n = stmt.node as Record<string, unknown>;
  if (stmt.type === 'IndexStmt' && n.concurrent) {
    const idx = await namedIndex(session, stmt);
    if (!idx) return { action: 'run' };
    if (!idx.valid) return { action: 'drop-invalid-then-run', index: idx };
    if (await sameIndex(idx.definition, stmt)) {
      return { action: 'record', message: `index ${idx.name} exists and is VALID (an earlier attempt's build finished on the server after its client was gone) and matches the file's definition: recorded as done, not built again` };
    }
    return { action: 'refuse', message: `index ${idx.name} exists (VALID) but is not the one the file defines (${idx.definition}); drop or rename it, or fix the migration` };
  }
  if (stmt.type === 'DropStmt' && n.concurrent && n.removeType === 'OBJECT_INDEX') {
    const names = ((n.objects as { List?: { items?: unknown } }[] | undefined) ?? []).map((o) => stringList(o.List?.items).map(quoteIdent).join('.'));
    const { rows } = await session.query<{ left: number }>(`SELECT count(to_regclass(x))::int AS left FROM unnest($1::text[]) x`, [names]);
    if (rows[0]!.left === 0 && names.length) {
      return { action: 'record', message: `${names.join(', ')} no longer exist${names.length === 1 ? 's' : ''} (an earlier attempt's drop finished): recorded as done` };
    }
  }
  return { action: 'run' };
}
