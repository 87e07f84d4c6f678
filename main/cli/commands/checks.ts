/**
 * `tenancy checks`: the checks this console runs, read from the registry (id, severity, kind,
 * what each reads, title, why). Needs no database.
 */
import { Option, type Command } from 'commander';
import { REGISTRY } from '../../engine/checks/registry.js';
import { printJson, renderTable } from '../format.js';

/** One check as `tenancy checks --format json` prints it. */
export interface CheckListing {
  id: string;
  severity: string;
  kind: string;
  needs: string;
  title: string;
  why: string;
}

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
        printJson({ checks });
        return;
      }
      process.stdout.write(`${renderTable(['check', 'severity', 'reads', 'title'], checks.map((c) => [c.id, c.severity, c.needs, c.title]))}\n`);
    });
}
