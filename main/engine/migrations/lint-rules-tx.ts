/**
 * Lint rules about transactions: BEGIN inside BEGIN, a BEGIN never committed, COMMIT without
 * BEGIN, CONCURRENTLY inside an explicit transaction, and statements that cannot run in a
 * transaction mixed with others in one file.
 */
import type { RuleContext, RuleHit } from './lint-facts.js';
import { nonTransactionalReason, type ParsedStatement } from './parse.js';

const kindOf = (s: ParsedStatement) => (s.type === 'TransactionStmt' ? String(s.node.kind) : '');
const OPENS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);
const CLOSES = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE']);

/** BEGIN nested in BEGIN, BEGIN never committed, COMMIT/ROLLBACK with no BEGIN. */
export function transactionControlRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const kind = kindOf(s);
  if (!OPENS.has(kind) && !CLOSES.has(kind)) return [];
  const before = ctx.statements.slice(0, s.index);
  let open = false;
  for (const o of before) {
    if (OPENS.has(kindOf(o))) open = true;
    if (CLOSES.has(kindOf(o))) open = false;
  }
  if (OPENS.has(kind) && open) {
    return [{ rule: 'transaction-control', message: 'BEGIN inside a transaction that is already open: PostgreSQL ignores it with a warning, so the first COMMIT ends both and what follows runs outside any transaction', rewrite: '-- remove this BEGIN (and its COMMIT): one BEGIN..COMMIT per block' }];
  }
  if (OPENS.has(kind)) {
    const closed = ctx.statements.slice(s.index + 1).some((o) => CLOSES.has(kindOf(o)));
    if (!closed) {
      return [{ rule: 'transaction-control', message: 'BEGIN with no COMMIT in the file: the transaction stays open after the migration, holding every lock it took until the connection closes', rewrite: 'COMMIT;  -- at the end of the block' }];
    }
    return [];
  }
  if (!open) {
    return [{ rule: 'transaction-control', severity: 'warning', message: `${kind === 'TRANS_STMT_ROLLBACK' ? 'ROLLBACK' : 'COMMIT'} with no BEGIN before it in the file: it ends a transaction the file did not open (a tool that wraps migrations in one would be committed part-way)`, rewrite: '-- remove it, or put BEGIN; before the statements it should commit' }];
  }
  return [];
}

/** CONCURRENTLY (and other non-transactional statements) inside an explicit BEGIN..COMMIT: fails at run time. */
export function concurrentlyInTransactionRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const why = nonTransactionalReason(s, ctx.serverVersionNum);
  if (!why || !ctx.facts.explicit[s.index]) return [];
  return [{
    rule: 'concurrently-in-transaction',
    message: `${why} inside BEGIN..COMMIT fails with "cannot run inside a transaction block", rolling back the whole block`,
    rewrite: `-- move it out of the BEGIN..COMMIT block, into a migration of its own:\n${s.text};`,
  }];
}

const SETTING = new Set(['VariableSetStmt', 'VariableShowStmt']);
const isSetting = (s: ParsedStatement) => SETTING.has(s.type) || (s.type === 'SelectStmt' && /^select\s+(pg_catalog\.)?set_config\s*\(/i.test(s.text));

/**
 * A statement that cannot run in a transaction in a file with other statements (issue 12): the
 * runner then sends the file statement by statement, and a failure part-way leaves the earlier
 * ones applied. SET statements do not count. An error unless acknowledged.
 */
export function nonTransactionalRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const why = nonTransactionalReason(s, ctx.serverVersionNum);
  if (!why || ctx.facts.explicit[s.index]) return [];
  const others = ctx.statements.filter((o) => o.index !== s.index && !isSetting(o) && o.type !== 'TransactionStmt');
  if (!others.length) return [];
  return [{
    rule: 'non-transactional',
    message: `${why} cannot run inside a transaction, so this file of ${others.length + 1} statements runs statement by statement: a failure part-way leaves the statements before it applied (lines ${others.map((o) => o.line).join(', ')} share the file)`,
    rewrite: `-- put it in a migration of its own (SET lock_timeout before it is fine):\n${s.text};`,
  }];
}
