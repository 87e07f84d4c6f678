/** The Audit page: filters, the matching entries (newest last) and the hash chain's verification. */
import { create } from 'zustand';
import type { AuditListItem } from '../../shared/contract/audit.js';
import type { AuditVerification } from '../../shared/audit.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';

/** The filter form. Empty fields mean "any"; times are the form's local date-times. */
export interface AuditFilterForm {
  from: string;
  to: string;
  profile: string;
  operator: string;
  text: string;
  errorsOnly: boolean;
}

interface AuditState {
  filter: AuditFilterForm;
  entries: AuditListItem[];
  total: number;
  truncated: boolean;
  dir: string | null;
  listState: 'idle' | 'loading' | 'done' | 'error';
  listError: string | null;
  verification: (AuditVerification & { dir: string }) | null;
  verifyError: string | null;
  setFilter(patch: Partial<AuditFilterForm>): void;
  clearFilter(): void;
  refresh(): Promise<void>;
  verify(): Promise<void>;
}

const EMPTY: AuditFilterForm = { from: '', to: '', profile: '', operator: '', text: '', errorsOnly: false };

/** A datetime-local value ("2025-01-31T12:00") as ISO 8601 in UTC; "" stays "". */
export function localToIso(v: string): string {
  if (!v) return '';
  const t = new Date(v);
  return Number.isNaN(t.getTime()) ? v : t.toISOString();
}

/** The audit store. */
export const useAudit = create<AuditState>((set, get) => ({
  filter: EMPTY,
  entries: [],
  total: 0,
  truncated: false,
  dir: null,
  listState: 'idle',
  listError: null,
  verification: null,
  verifyError: null,
  setFilter: (patch) => set({ filter: { ...get().filter, ...patch } }),
  clearFilter: () => set({ filter: EMPTY }),
  async refresh() {
    const f = get().filter;
    set({ listState: 'loading', listError: null });
    try {
      const r = await api.audit.list({
        from: localToIso(f.from), to: localToIso(f.to), profile: f.profile, operator: f.operator, text: f.text,
        ...(f.errorsOnly ? { errorsOnly: true } : {}),
      });
      set({ entries: r.entries, total: r.total, truncated: r.truncated, dir: r.dir, listState: 'done' });
    } catch (err) {
      set({ listState: 'error', listError: errorText(err) });
    }
  },
  async verify() {
    set({ verifyError: null });
    try {
      set({ verification: await api.audit.verify({}) });
    } catch (err) {
      set({ verifyError: errorText(err) });
    }
  },
}));
