/**
 * The restore wizard's pure logic (steps, the scope as chosen, the request it becomes), in shared/
 * so it is typechecked and unit-tested in Node as well as bundled into the renderer.
 */
import type { RestoreRequestInput, RestoreResult, RestoreScope, SetColumn } from './backup.js';
import type { TenantEntry } from './contract/backups.js';

export const STEPS = [
  { id: 'pick', label: 'Backup' },
  { id: 'compare', label: 'Compare' },
  { id: 'scope', label: 'Scope' },
  { id: 'dry-run', label: 'Dry run' },
  { id: 'confirm', label: 'Confirm' },
  { id: 'done', label: 'Verified' },
] as const;
/** A wizard step. */
export type StepId = (typeof STEPS)[number]['id'];

/**
 * The last step's label and mark in the stepper: its goal, "Verified", until there is a result;
 * then the result itself, so a rolled-back or unverified restore is never shown as verified.
 */
export function doneStepLabel(status: RestoreResult['status'] | null): { label: string; mark: '✓' | '✗' | null } {
  switch (status) {
    case null:
    case 'dry-run':
      return { label: 'Verified', mark: null };
    case 'verified':
      return { label: 'Verified', mark: '✓' };
    case 'mismatch-rolled-back':
      return { label: 'Rolled back', mark: '✗' };
    case 'mismatch-committed':
      return { label: 'Not verified', mark: '✗' };
  }
}

/** The scope as the operator is choosing it (keys still as typed). */
export type ScopeChoice = { kind: 'table' } | { kind: 'tenant'; tenant: string | null } | { kind: 'keys'; text: string };

/** What an added column gets: its live value / default, or a value (the tenant column: an org). */
export type ColumnChoice = { mode: 'keep' } | { mode: 'value'; value: string } | { mode: 'null' };

/** How far the operator has got; each step needs the ones before it. */
export interface Progress {
  backupId: number | null;
  compared: boolean;
  scopeReady: boolean;
  dryRunPassed: boolean;
  restored: boolean;
}

/** The furthest step the operator may open now. */
export function reachableStep(p: Progress): StepId {
  if (p.restored) return 'done';
  if (p.backupId === null) return 'pick';
  if (!p.compared) return 'compare';
  if (!p.scopeReady) return 'scope';
  if (!p.dryRunPassed) return 'dry-run';
  return 'confirm';
}

/** Whether step `s` can be opened given the furthest reachable one (no going back once restored). */
export function canOpen(s: StepId, reachable: StepId): boolean {
  const i = STEPS.findIndex((x) => x.id === s);
  const r = STEPS.findIndex((x) => x.id === reachable);
  if (reachable === 'done') return s === 'done';
  return i <= r;
}

/**
 * Parse keys as typed: one key per line or comma, composite parts separated by "/". Empty
 * parts are dropped; null when nothing was typed.
 */
export function parseKeys(text: string): string[][] | null {
  const keys = text.split(/[\n,]/).map((k) => k.trim()).filter((k) => k.length > 0).map((k) => k.split('/').map((p) => p.trim()));
  return keys.length > 0 ? keys : null;
}

/** The scope for the host, or an explanation of what is missing. */
export function toScope(choice: ScopeChoice): { scope: RestoreScope } | { missing: string } {
  if (choice.kind === 'table') return { scope: { kind: 'table' } };
  if (choice.kind === 'tenant') return choice.tenant ? { scope: { kind: 'tenant', tenant: choice.tenant } } : { missing: 'pick a tenant' };
  const keys = parseKeys(choice.text);
  return keys ? { scope: { kind: 'keys', keys } } : { missing: 'type at least one primary key' };
}

/** Values for columns added since the backup; "keep" columns are left out (live value or default). */
export function toSetColumns(choices: Record<string, ColumnChoice>): SetColumn[] {
  const out: SetColumn[] = [];
  for (const [column, c] of Object.entries(choices)) {
    if (c.mode === 'value') out.push({ column, value: c.value });
    else if (c.mode === 'null') out.push({ column, value: null });
  }
  return out;
}

/** Whether every added column with a chosen value has one. */
export function columnsReady(choices: Record<string, ColumnChoice>): boolean {
  return Object.values(choices).every((c) => c.mode !== 'value' || c.value.trim().length > 0);
}

/** The restore request the wizard sends (a dry run or the real one). */
export function buildRestoreRequest(o: {
  connectionId: string; backupId: number; scope: RestoreScope; strategy: 'replace' | 'upsert';
  columns: Record<string, ColumnChoice>; dryRun: boolean; confirmTable?: string;
}): RestoreRequestInput & { connectionId: string } {
  return {
    connectionId: o.connectionId,
    backupId: o.backupId,
    scope: o.scope,
    strategy: o.strategy,
    setColumns: toSetColumns(o.columns),
    dryRun: o.dryRun,
    ...(o.confirmTable !== undefined ? { confirmTable: o.confirmTable } : {}),
  };
}

/** Tenants whose id or name contains the query (case-insensitive), names first by name. */
export function searchTenantEntries(tenants: TenantEntry[], query: string): TenantEntry[] {
  const q = query.trim().toLowerCase();
  const hits = q ? tenants.filter((t) => t.id.toLowerCase().includes(q) || (t.name ?? '').toLowerCase().includes(q)) : tenants;
  return [...hits].sort((a, b) => (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.id.localeCompare(b.id, undefined, { numeric: true }));
}

/** A scope in words: "whole table", "tenant 7 (Acme Ltd)", "3 chosen rows". */
export function describeScopeChoice(scope: RestoreScope, tenantName?: string | null): string {
  if (scope.kind === 'table') return 'the whole table';
  if (scope.kind === 'tenant') return `tenant ${scope.tenant}${tenantName ? ` (${tenantName})` : ''}`;
  return `${scope.keys.length} chosen row${scope.keys.length === 1 ? '' : 's'}`;
}

/** Whether the typed confirmation matches the table (on production: "table" or "schema.table"). */
export function confirmationMatches(typed: string, schema: string, table: string): boolean {
  return typed === table || typed === `${schema}.${table}`;
}
