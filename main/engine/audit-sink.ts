/**
 * The audit hook: every statement a session sends is offered to an AuditSink.
 * The audit log (JSONL, hash-chained) implements it; tests use an in-memory one.
 */

/** One statement as the audit log records it. Parameters arrive already redacted. */
export interface AuditEntry {
  time: string;
  profile: string;
  operator: string;
  database: string;
  sql: string;
  params: unknown[];
  durationMs: number;
  rows: number | null;
  error: string | null;
  /** The runbook run this statement belongs to, when it was sent by a run. */
  run?: string;
}

/** Receives every statement a session sends. Must not throw. */
export interface AuditSink {
  record(entry: AuditEntry): void;
  /**
   * Why the last record could not be kept, or null when it was. A session refuses writes while
   * this is set: a write the audit log cannot record is not made.
   */
  lastFailure?(): string | null;
}

/** A sink that keeps entries in memory, for tests and for attaching to a run. */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  record(entry: AuditEntry): void {
    this.entries.push(entry);
  }
}
