/** How the lock watch names a lock: a row-lock wait by its holder and transaction, never "(no relation)". */
import { describe, expect, it } from 'vitest';
import { lockText } from '../../shared/lock-wait.js';

describe('lockText', () => {
  it('names a wait on a transaction id as a row lock held by that pid and transaction', () => {
    expect(lockText({ relation: null, mode: 'ShareLock', lockType: 'transactionid', transaction: '825', heldBy: 1972 })).toBe('a row lock held by pid 1972 (transaction 825)');
    expect(lockText({ relation: null, mode: 'ShareLock', lockType: 'transactionid', transaction: '825', heldBy: null })).toBe('a row lock held by another session (transaction 825)');
  });
  it('keeps "MODE on relation" for relation locks, and never says "(no relation)"', () => {
    expect(lockText({ relation: 'items', mode: 'AccessExclusiveLock', lockType: 'relation' })).toBe('AccessExclusiveLock on items');
    expect(lockText({ relation: 'items', mode: 'ExclusiveLock', lockType: 'tuple' })).toBe('a row lock on items (queued behind another waiter)');
    expect(lockText({ relation: null, mode: 'ExclusiveLock', lockType: 'advisory' })).toBe('ExclusiveLock (advisory)');
  });
});

