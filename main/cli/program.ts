/**
 * The `tenancy` command: every subcommand registered on one commander program.
 * Subcommand modules each export one register function; add new ones to COMMANDS.
 */
import { Command } from 'commander';
import { consoleVersion } from '../engine/paths.js';
import { registerProfile } from './commands/profile.js';
import { registerCheck } from './commands/check.js';
import { registerChecks } from './commands/checks.js';
import { registerDistribution } from './commands/distribution.js';
import { registerModel } from './commands/model.js';
import { registerDemo } from './commands/demo.js';
import { registerServe } from './commands/serve.js';
import { registerReport } from './commands/report.js';
import { registerAudit } from './commands/audit.js';
import { registerBackup } from './commands/backup.js';
import { registerRestore } from './commands/restore.js';
import { registerMigrate } from './commands/migrate.js';
import { registerBackfill } from './commands/backfill.js';
import { registerContract } from './commands/contract.js';
import { registerRunbook } from './commands/runbook.js';

/** Subcommand registrars, in help order. */
const COMMANDS: ((program: Command) => void)[] = [
  registerProfile,
  registerModel,
  registerCheck,
  registerChecks,
  registerDistribution,
  registerDemo,
  registerServe,
  registerReport,
  registerAudit,
  registerBackup,
  registerRestore,
  registerMigrate,
  registerBackfill,
  registerContract,
  registerRunbook,
];

/** Build the program (not yet parsed). */
export function buildProgram(): Command {
  const program = new Command('tenancy')
    .description('Tenancy Console: move a PostgreSQL application to multi-tenant and prove every row is where it belongs.\nExit codes: 0 done, no error findings; 1 error findings or a verification that failed; 2 usage, connection, permission or integrity error (one line on stderr; with --format json also {"ok": false, "error": {...}} on stdout); 130 cancelled with Ctrl-C.')
    .version(consoleVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  program.commands.forEach(function walk(c: Command) {
    c.exitOverride();
    c.commands.forEach(walk);
  });
  return program;
}
