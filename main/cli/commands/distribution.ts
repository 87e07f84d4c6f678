/** `tenancy distribution` (being written). */
import type { Command } from 'commander';

/** Register `tenancy distribution`. */
export function registerDistribution(program: Command): void {
  program.command('distribution').description('(not yet available)');
}
