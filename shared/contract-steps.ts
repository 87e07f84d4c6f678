/**
 * Contract steps: the DDL that finishes a table's move to multi-tenant, generated from the model
 * (NOT NULL, scoped uniques, no bootstrap default, composite tenant FKs, RLS), shown before it runs.
 */
import { z } from 'zod';
import { LintFindingSchema } from './migrations.js';

export const CONTRACT_STEPS = ['defaults', 'not-null', 'unique', 'fk', 'rls'] as const;
export const ContractStepSchema = z.enum(CONTRACT_STEPS);
/** One kind of contract change. */
export type ContractStep = z.infer<typeof ContractStepSchema>;

export const ContractStatementSchema = z.object({
  step: ContractStepSchema,
  sql: z.string(),
  /** CREATE/DROP INDEX CONCURRENTLY: runs outside any transaction. */
  outsideTransaction: z.boolean(),
  /** Why this statement, in one line. */
  why: z.string(),
});
export type ContractStatement = z.infer<typeof ContractStatementSchema>;

export const ContractPlanSchema = z.object({
  schema: z.string(),
  table: z.string(),
  steps: z.array(ContractStepSchema),
  statements: z.array(ContractStatementSchema),
  /** What the generator left alone and why (expression keys, partitioned tables, ...). */
  notes: z.array(z.string()),
  lint: z.array(LintFindingSchema),
});
/** The statements for one table, in order, with the lint findings. */
export type ContractPlan = z.infer<typeof ContractPlanSchema>;

export const ContractResultSchema = z.object({
  plan: ContractPlanSchema,
  applied: z.number(),
  failed: z.object({ index: z.number(), sql: z.string(), error: z.string(), code: z.string().nullable() }).nullable(),
  durationMs: z.number(),
});
export type ContractResult = z.infer<typeof ContractResultSchema>;
