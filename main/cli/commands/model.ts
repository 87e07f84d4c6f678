/** `tenancy model` (being written). */
import type { Command } from 'commander';

/** Register `tenancy model`. */
export function registerModel(program: Command): void {
  program.command('model').description('(not yet available)');
}
