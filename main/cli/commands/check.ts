/** `tenancy check` (being written). */
import type { Command } from 'commander';

/** Register `tenancy check`. */
export function registerCheck(program: Command): void {
  program.command('check').description('(not yet available)');
}
