/** `tenancy demo` (being written). */
import type { Command } from 'commander';

/** Register `tenancy demo`. */
export function registerDemo(program: Command): void {
  program.command('demo').description('(not yet available)');
}
