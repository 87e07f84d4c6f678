/**
 * CLI entry: parse, run, and map outcomes to exit codes, the same for every command (EXIT_CODES):
 * 0 done / clean, 1 findings or a verification that failed, 2 usage, connection, permission or
 * integrity error (one line on stderr), 130 cancelled. With `--format json`, a failure is also
 * printed on stdout as `{ok: false, error: {code, message, field}}`.
 */
import { CommanderError } from 'commander';
import { prepareRedaction } from '../engine/audit/redact.js';
import { CancelledError, UserError } from '../engine/errors.js';
import { exitState } from './exit.js';
import { installInertOutput } from './inert-output.js';
import { jsonFailure, wantsJson } from './json-error.js';
import { buildProgram } from './program.js';


/** Run the CLI with `argv` (as process.argv) and return the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = wantsJson(argv);
  const fail = (exit: number, message: string, code: string, stderrLine = true, field?: string): number => {
    if (stderrLine) process.stderr.write(`tenancy: ${message}\n`);
    if (json) process.stdout.write(jsonFailure(message, code, field));
    return exit;
  };
  const restore = installInertOutput();
  try {
    await prepareRedaction();
    await program.parseAsync(argv);
    return exitState.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      // commander has already printed its own message on stderr.
      return fail(2, err.message.replace(/^error: /, ''), 'usage', false);
    }
    if (err instanceof CancelledError) {
      const generic = err.message === new CancelledError().message;
      return fail(130, generic ? 'cancelled; the running query was stopped and nothing was changed' : err.message, 'cancelled');
    }
    if (err instanceof UserError) return fail(2, err.message, err.code, true, err.field);
    const e = err as { code?: string; message?: string };
    const oneLine = (e.message ?? String(err)).split('\n')[0];
    if (process.env.TENANCY_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return fail(2, `${e.code ? `[${e.code}] ` : ''}${oneLine}`, 'internal');
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
