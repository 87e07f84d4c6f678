/**
 * What an earlier, interrupted contract run may have left, read from the catalogs: constraints by
 * name with their validation (convalidated), and indexes by name with their validity (indisvalid).
 * The planner resumes from it: a NOT VALID constraint is validated, not re-created; an INVALID
 * index is dropped and rebuilt; a NOT NULL path stopped half-way is finished.
 */
import type { Session } from '../session.js';

/** Constraints and indexes of some schemas, keyed "schema.table.name" and "schema.name". */
export interface ContractCatalog {
  constraints: Map<string, { type: string; validated: boolean }>;
  indexes: Map<string, { valid: boolean }>;
}

/** Key of a constraint in ContractCatalog.constraints. */
export const constraintKey = (schema: string, table: string, name: string) => JSON.stringify([schema, table, name]);
/** Key of an index in ContractCatalog.indexes. */
export const indexKey = (schema: string, name: string) => JSON.stringify([schema, name]);

/** Read the constraints and indexes of `schemas`. */
export async function readContractCatalog(session: Session, schemas: readonly string[]): Promise<ContractCatalog> {
  const cons = await session.query<{ schema: string; table: string; name: string; type: string; validated: boolean }>(
    `SELECT n.nspname AS schema, c.relname AS table, con.conname AS name, con.contype::text AS type, con.convalidated AS validated
       FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[])`, [schemas]);
  const idx = await session.query<{ schema: string; name: string; valid: boolean }>(
    `SELECT n.nspname AS schema, ic.relname AS name, i.indisvalid AS valid
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
      WHERE n.nspname = ANY($1::text[])`, [schemas]);
  return {
    constraints: new Map(cons.rows.map((r) => [constraintKey(r.schema, r.table, r.name), { type: r.type, validated: r.validated }])),
    indexes: new Map(idx.rows.map((r) => [indexKey(r.schema, r.name), { valid: r.valid }])),
  };
}
