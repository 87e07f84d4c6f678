/** One lock as a person reads it: "a row lock held by pid N (transaction X)", else "MODE on relation". */

/** A lock from the lock watch (what a session holds or waits for). */
export interface LockLike {
  relation: string | null;
  mode: string;
  lockType?: string;
  transaction?: string | null;
  heldBy?: number | null;
}

/** The lock in words: a wait on a transaction id is a row lock held by that transaction's session. */
export function lockText(l: LockLike): string {
  if (l.lockType === 'transactionid') {
    return `a row lock held by ${l.heldBy != null ? `pid ${l.heldBy}` : 'another session'}${l.transaction ? ` (transaction ${l.transaction})` : ''}`;
  }
  if (l.lockType === 'tuple' && l.relation) return `a row lock on ${l.relation} (queued behind another waiter)`;
  if (l.relation) return `${l.mode} on ${l.relation}`;
  return `${l.mode} (${l.lockType ?? 'lock'})`;
}
