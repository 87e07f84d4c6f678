/**
 * `tenancy checks`: the checks this console runs, read from the registry (id, severity, kind,
 * what each reads, title, why). Needs no database.
 */
import { Option, type Command } from 'commander';
import type { CheckListing } from '../../../shared/checks.js';
import { REGISTRY } from '../../engine/checks/registry.js';
import { printOk, renderTable } from '../format.js';

export type { CheckListing };

/** Every registered check, in report order. */
export function listChecks(): CheckListing[] {
  return REGISTRY.map((c) => ({ id: c.id, severity: c.severity, kind: c.kind, needs: c.needs, title: c.title, why: c.why }));
}

/** Register `tenancy checks`. */
export function registerChecks(program: Command): void {
  program.command('checks').description('list the checks `tenancy check` runs, in report order (no database needed)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((o: { format: string }) => {
      const checks = listChecks();
      if (o.format === 'json') {
        printOk({ checks });
        return;
      }
      process.stdout.write(`${renderTable(['check', 'severity', 'reads', 'title'], checks.map((c) => [c.id, c.severity, c.needs, c.title]))}\n`);
    });
}
