/**
 * The demo scenarios: one per reference runbook, each half-way through its move with defects
 * planted for the console to find. Data lives in sql/demo/<id>.sql; migration folders beside it.
 */
import type { ModelSettings } from '../../../shared/model.js';

/** A migration tool whose ledger a scenario carries, and how far along it is. */
export interface DemoLedger {
  tool: 'drizzle' | 'supabase' | 'prisma';
  /** Folder under sql/ holding the migration files in the tool's own layout. */
  folder: string;
  /** How many migrations (in order) are applied; the rest are pending. */
  applied: number;
}

/** One demo scenario. */
export interface DemoScenario {
  /** Short id, also the SQL file name: sql/demo/<id>.sql. */
  id: string;
  /** Database name on the demo server. */
  database: string;
  /** The reference runbook it reproduces (file in reference-runbooks/). */
  runbook: string;
  title: string;
  description: string;
  /** Settings to give the console for this database (what a profile for it would hold). */
  settings: { tenancy: ModelSettings; rlsRole?: string; rlsSetting?: string };
  /** SQL run before the migrations (what the platform provides), under sql/demo/. */
  platformSql?: string;
  /** Migrations applied through the tool's ledger before the data file runs. */
  ledger?: DemoLedger;
  /** The defects planted, in the runbook's words, for the docs and the ready message. */
  defects: string[];
}

/** Every scenario, in runbook order. */
export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    id: 'drizzle',
    database: 'demo_drizzle',
    runbook: '000_ba9ef577be652b57.txt',
    title: 'Better Auth + Drizzle',
    description: 'Better Auth organizations; migration 0007 (organization_id with a bootstrap default) applied, 0008 (drop the defaults) pending.',
    settings: { tenancy: { globalTables: ['public.user', 'public.session'] } },
    ledger: { tool: 'drizzle', folder: 'demo/drizzle', applied: 8 },
    defects: [
      'organization_id nullable and still DEFAULT org_bootstrap on every domain table (0008 pending)',
      'lessons rows with NULL organization_id',
      'app_settings unique (key) and global_absences unique (date) not scoped by organization',
      'no row-level security',
    ],
  },
  {
    id: 'supabase',
    database: 'demo_supabase',
    runbook: '001_19186078f3e60c08.txt',
    title: 'Supabase + Workers',
    description: 'organizations + organization_memberships with RLS; migrations 20250904000001/2 applied, 3 (move data into the default organization) pending.',
    settings: { tenancy: {} },
    platformSql: 'demo/supabase.platform.sql',
    ledger: { tool: 'supabase', folder: 'demo/supabase/migrations', applied: 3 },
    defects: [
      'legacy audit_reports, automation_jobs and generated_automations rows with NULL organization_id',
      'users without an organization membership',
      'generated_automations: RLS enabled, no policy',
      'automation_jobs: policy checks only user_id = auth.uid()',
      'organization_memberships: RLS not forced (not reported: only authenticated reads it, never its owner)',
    ],
  },
  {
    id: 'prisma',
    database: 'demo_prisma',
    runbook: '002_b11d9bbe4b1c7917.txt',
    title: 'Prisma + RLS',
    description: 'Prisma models with "tenantId" and RLS on app.tenant_id for app_user; migration scope_unique_indexes pending.',
    settings: {
      tenancy: { tenantTable: 'public.Tenant', tenantColumn: 'tenantId' },
      rlsRole: 'app_user',
      rlsSetting: 'app.tenant_id',
    },
    ledger: { tool: 'prisma', folder: 'demo/prisma/migrations', applied: 3 },
    defects: [
      'unique indexes without the tenant: "User"(email), "ApiKey"(key), "Invoice"(number) INCLUDE ("tenantId")',
      '"ApiKey"."tenantId" still defaults to the default tenant',
      '"AuditLog" policy USING (true): app_user sees every tenant\'s audit log',
    ],
  },
  {
    id: 'credentials',
    database: 'demo_credentials',
    runbook: '003_2567ab78b082e528.txt',
    title: 'Credentials, backup tables, legacy map',
    description: 'orgs/org_id; the migration script made its backup tables and mapped credentials through legacy_credential_org_map, and stopped part way.',
    settings: {
      tenancy: {
        globalTables: [
          'public.legacy_credential_org_map', 'public.backup_credentials', 'public.backup_reports', 'public.backup_dashboard_layouts',
        ],
      },
    },
    defects: [
      'reports rows with NULL org_id, and no index on reports.org_id',
      'dashboard_layouts has no org_id column',
      'tenant_credentials: no FK to orgs, rows of deleted orgs',
      'credentials: the FK to orgs is NOT VALID (its VALIDATE step was interrupted)',
    ],
  },
  {
    id: 'inventory',
    database: 'demo_inventory',
    runbook: '004_fe52ea1ff6c91be1.txt',
    title: 'Prisma + Railway inventory',
    description: 'organizations/org_id over users, items, locations, a partitioned inventory_ledger and a trigger-kept inventory_balances; a few hundred organizations.',
    settings: { tenancy: {} },
    defects: [
      'count_lines rows whose org_id differs from their count sheet\'s',
      'audit_logs: no FK to organizations, rows of deleted organizations',
      'items_itemNumber_key: item numbers unique across all organizations',
      'no row-level security',
    ],
  },
];

/** Look a scenario up by id. */
export function demoScenario(id: string): DemoScenario | undefined {
  return DEMO_SCENARIOS.find((s) => s.id === id);
}
