/**
 * The verification checks: stable ids, severities and the one-line "why" shown with every finding.
 * Ids are part of the public contract (CLI JSON, reports, runbook expectations): never rename one.
 * The entries come from the registry of checks (main/engine/checks/registry.ts, one module per
 * check), through the generated shared/check-catalog.ts, so the renderer never loads the engine.
 */
import { z } from 'zod';
import { CHECK_CATALOG, CHECK_IDS } from './check-catalog.js';

export { CHECK_IDS };

export const CheckIdSchema = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof CheckIdSchema>;

export const SeveritySchema = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

/** 'catalog' checks read only the catalogs; 'rows' checks count rows; 'probe' runs as the app role. */
export const CheckKindSchema = z.enum(['catalog', 'rows', 'probe']);
export type CheckKind = z.infer<typeof CheckKindSchema>;

/** What a check reads (main/engine/checks/check-module.ts says what each means). */
export const CheckNeedSchema = z.enum(['model', 'table-scan', 'fk-scan', 'rls-catalog', 'probe']);
export type CheckNeed = z.infer<typeof CheckNeedSchema>;

/** One registered check as `tenancy checks` lists it: what it reads (`needs`) besides its contract entry. */
export const CheckListingSchema = z.object({
  id: CheckIdSchema,
  severity: SeveritySchema,
  kind: CheckKindSchema,
  needs: CheckNeedSchema,
  title: z.string(),
  why: z.string(),
});
export type CheckListing = z.infer<typeof CheckListingSchema>;

/** What a check is about, whether it needs a table scan, and why it matters. */
export interface CheckDefinition {
  id: CheckId;
  severity: Severity;
  title: string;
  why: string;
  kind: CheckKind;
}

/** Every check, in the order reports list them. */
export const CHECKS: Record<CheckId, CheckDefinition> = CHECK_CATALOG;
