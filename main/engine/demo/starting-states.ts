/**
 * The reference runbooks' real starting states: the demo scenario's application before the
 * runbook's first migration (runbook 000 before 0007, runbook 001 before 20250904000001, runbook 004 before
 * add_organization_support), so a
 * template is proved from where its team starts, not from half-way. Loaded like a scenario
 * (`loadScenario`), data in sql/demo/<id>.sql; not part of `tenancy demo`'s five databases.
 */
import { demoScenario, type DemoScenario } from './scenarios.js';

function before(base: string, id: string, applied: number, description: string): DemoScenario {
  const s = demoScenario(base)!;
  return { ...s, id, database: `demo_${id.replaceAll('-', '_')}`, description, ledger: { ...s.ledger!, applied }, defects: [] };
}

/** Every starting state, keyed by the template it starts. */
export const RUNBOOK_STARTING_STATES: Readonly<Record<string, DemoScenario>> = {
  '000': before('drizzle', 'drizzle-before-0007', 7, 'Better Auth + Drizzle before 0007: 0000..0006 applied, single-tenant data, no organization_id yet.'),
  '001': before('supabase', 'supabase-before-0001', 1, 'Supabase before 20250904000001: the initial schema applied, rows owned by users, RLS user_id = auth.uid().'),
  // The demo's inventory database is the state after add_organization_support (no ledger of its
  // own); before it, the team's Prisma folder has its init migration applied and nothing else.
  '004': {
    ...demoScenario('inventory')!,
    id: 'inventory-before-organizations',
    database: 'demo_inventory_before_organizations',
    description: 'Prisma + Railway inventory before add_organization_support: the init migration applied, one company\'s data, no organizations, org_id or balance table yet.',
    ledger: { tool: 'prisma', folder: 'demo/inventory/prisma/migrations', applied: 1 },
    defects: [],
  },
};

/** The starting state of a template ("000", "001", "004"), when it starts before the demo's half-way point. */
export function startingState(template: string): DemoScenario | undefined {
  return RUNBOOK_STARTING_STATES[template];
}
