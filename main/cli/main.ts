/**
 * CLI entry: parse, run, and map outcomes to exit codes. 0 = no error-severity findings,
 * 1 = findings, 2 = usage, connection or permission error (one line on stderr), 130 = cancelled.
 */
import { CommanderError } from 'commander';
import { prepareRedaction } from '../engine/audit/redact.js';
import { CancelledError, UserError } from '../engine/errors.js';
import { exitState } from './exit.js';
import { installInertOutput } from './inert-output.js';
import { buildProgram } from './program.js';


/** Run the CLI with `argv` (as process.argv) and return the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const restore = installInertOutput();
  try {
    await prepareRedaction();
    await program.parseAsync(argv);
    return exitState.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof CancelledError) {
      process.stderr.write('tenancy: cancelled; the running query was stopped and nothing was changed\n');
      return 130;
    }
    if (err instanceof UserError) {
      process.stderr.write(`tenancy: ${err.message}\n`);
      return 2;
    }
    const e = err as { code?: string; message?: string };
    const oneLine = (e.message ?? String(err)).split('\n')[0];
    process.stderr.write(`tenancy: ${e.code ? `[${e.code}] ` : ''}${oneLine}\n`);
    if (process.env.TENANCY_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return 2;
  } finally {
    restore();
  }
}

const invokedDirectly = process.argv[1] && /(?:cli|main)\.(?:m?js|ts)$/.test(process.argv[1]);
if (invokedDirectly) {
  void runCli(process.argv).then((code) => {
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
