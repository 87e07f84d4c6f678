/**
 * Lint rules over indexes and maintenance: CREATE / DROP INDEX without CONCURRENTLY, REINDEX,
 * CLUSTER, VACUUM FULL and REFRESH MATERIALIZED VIEW without CONCURRENTLY.
 */
import { quoteIdent } from '../ident.js';
import type { RuleContext, RuleHit } from './lint-facts.js';
import { optionOn } from './lint-locks.js';
import { cloneNode, statementSql } from './lint-deparse.js';
import { tableSql } from './lint-sql.js';
import { relationKey, stringList, type ParsedStatement } from './parse.js';

const OWN = '-- in a migration of its own: it cannot run inside a transaction';

/** The CREATE [UNIQUE] INDEX, deparsed with CONCURRENTLY. */
const concurrentIndex = (s: ParsedStatement): string => statementSql('IndexStmt', { ...cloneNode(s.node), concurrent: true });

/** CREATE INDEX rules (the unique-key rule lives in lint-rules-tenant.ts). */
export function indexRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const t = relationKey(s.node.relation);
  if (!t || s.node.concurrent || ctx.facts.created.has(t)) return [];
  const rewrite = concurrentIndex(s);
  return [{
    rule: 'index-not-concurrent',
    message: `CREATE INDEX without CONCURRENTLY takes SHARE on ${t}: every INSERT, UPDATE and DELETE waits until the index is built`,
    rewrite: `${rewrite}\n${OWN} (SHARE UPDATE EXCLUSIVE: reads and writes go on); if it fails, DROP INDEX CONCURRENTLY the INVALID index before retrying`,
  }];
}

/** DROP INDEX without CONCURRENTLY. */
export function dropIndexRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  if (n.removeType !== 'OBJECT_INDEX' || n.concurrent) return [];
  const names = ((n.objects as { List?: { items?: unknown } }[] | undefined) ?? []).map((o) => stringList(o.List?.items));
  const existing = names.filter((p) => !ctx.carry.indexes.has(p.length > 1 ? p.join('.') : `public.${p[0]}`) || !ctx.facts.created.has(ctx.carry.indexes.get(p.length > 1 ? p.join('.') : `public.${p[0]}`)!.table));
  if (!existing.length) return [];
  return [{
    rule: 'drop-index-not-concurrent',
    message: `DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table: every read and write waits behind any running query`,
    rewrite: `${existing.map((p) => `DROP INDEX CONCURRENTLY ${n.missing_ok ? 'IF EXISTS ' : ''}${p.map(quoteIdent).join('.')};`).join('\n')}\n${OWN}, one index per statement${n.behavior === 'DROP_CASCADE' ? ' (CONCURRENTLY cannot CASCADE: drop the dependents first)' : ''}`,
  }];
}

const REINDEX_KIND: Record<string, string> = {
  REINDEX_OBJECT_INDEX: 'INDEX', REINDEX_OBJECT_TABLE: 'TABLE', REINDEX_OBJECT_SCHEMA: 'SCHEMA', REINDEX_OBJECT_DATABASE: 'DATABASE', REINDEX_OBJECT_SYSTEM: 'SYSTEM',
};

/** REINDEX, CLUSTER, VACUUM FULL and REFRESH MATERIALIZED VIEW that block the table. */
export function maintenanceRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  if (s.type === 'ReindexStmt' && !optionOn(n.params, 'concurrently')) {
    const kind = REINDEX_KIND[String(n.kind)] ?? 'TABLE';
    const name = n.relation ? tableSql(n.relation) : n.name ? quoteIdent(String(n.name)) : '';
    const ok = ctx.serverVersionNum >= 120000 && kind !== 'SYSTEM';
    return [{
      rule: 'blocking-maintenance',
      message: `REINDEX ${kind} without CONCURRENTLY blocks writes to the table (SHARE) and reads that use the index (ACCESS EXCLUSIVE on it)${ok ? '' : ` (CONCURRENTLY needs PostgreSQL 12; server version assumed ${ctx.serverVersionNum})`}`,
      rewrite: ok ? `REINDEX ${kind} CONCURRENTLY ${name};\n${OWN}` : null,
    }];
  }
  if (s.type === 'ClusterStmt') {
    return [{
      rule: 'blocking-maintenance',
      message: 'CLUSTER rewrites the table under ACCESS EXCLUSIVE: every read and write waits until it is done; PostgreSQL has no concurrent form',
      rewrite: '-- rewrite it online with pg_repack (or pg_squeeze) instead, or run CLUSTER in a maintenance window',
    }];
  }
  if (s.type === 'VacuumStmt' && n.is_vacuumcmd && optionOn(n.options, 'full')) {
    const rels = ((n.rels as { VacuumRelation?: { relation?: unknown } }[] | undefined) ?? []).map((r) => tableSql(r.VacuumRelation?.relation));
    return [{
      rule: 'blocking-maintenance',
      message: 'VACUUM FULL rewrites the table under ACCESS EXCLUSIVE: every read and write waits until it is done',
      rewrite: `VACUUM${rels.length ? ` ${rels.join(', ')}` : ''};\n-- plain VACUUM (SHARE UPDATE EXCLUSIVE) frees space for reuse; to return it to the OS online, use pg_repack`,
    }];
  }
  if (s.type === 'RefreshMatViewStmt' && !n.concurrent && !n.skipData) {
    return [{
      rule: 'blocking-maintenance',
      message: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY takes ACCESS EXCLUSIVE: every read of the view waits until the refresh is done',
      rewrite: `REFRESH MATERIALIZED VIEW CONCURRENTLY ${tableSql(n.relation)};\n-- needs a unique index on the view (without a WHERE clause); takes EXCLUSIVE: reads go on`,
    }];
  }
  return [];
}
