/**
 * The CLI's one vocabulary: one number parser that names the flag it refuses, the pacing and
 * timeout options every writing command spells the same way, and old spellings kept for one
 * release (hidden from --help, a one-line deprecation note on stderr when used).
 */
import { Option, type Command } from 'commander';
import { UserError } from '../engine/errors.js';

/**
 * A whole number typed for `flag` ("1000", "1_000" and "1,000" read the same), or a UserError
 * naming the flag: `--samples must be a whole number, got junk`.
 */
export function parseWhole(text: string, flag: string, range: { min?: number; max?: number } = {}): number {
  const t = text.trim();
  if (!/^\d[\d_,]*$/.test(t)) throw new UserError(`${flag} must be a whole number, got ${text === '' ? '""' : text}`, 'usage', flag);
  const n = Number(t.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n)) throw new UserError(`${flag} must be a whole number, got ${text}`, 'usage', flag);
  const { min, max } = range;
  if (min !== undefined && n < min) throw new UserError(`${flag} must be at least ${min}, got ${text}`, 'usage', flag);
  if (max !== undefined && n > max) throw new UserError(`${flag} must be at most ${max}, got ${text}`, 'usage', flag);
  return n;
}

/** parseWhole for an option that may be absent. */
export function optionalWhole(text: string | undefined, flag: string, range: { min?: number; max?: number } = {}): number | undefined {
  return text === undefined ? undefined : parseWhole(text, flag, range);
}

/** A number above 1 (`--max-latency-ratio 1.25`), or a UserError naming the flag. */
export function parseRatioAboveOne(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || !(n > 1)) throw new UserError(`${flag} must be a number above 1 (e.g. 1.25), got ${text}`, 'usage', flag);
  return n;
}

/** A fraction more than 0 and at most 1 (`--duty 0.5`), or a UserError naming the flag. */
export function parseFraction(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d*\.?\d+$/.test(text.trim()) || !(n > 0 && n <= 1)) throw new UserError(`${flag} must be a number more than 0 and at most 1, got ${text}`, 'usage', flag);
  return n;
}

/** commander's attribute name of a long flag: `--lock-timeout-ms` -> `lockTimeoutMs`. */
export function attributeOf(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Accept `oldFlags` (e.g. `--confirm <db>`) as a hidden spelling of `newFlag` (e.g. `--confirm-db`):
 * used, it sets the new option and prints one deprecation line on stderr; given together with the
 * new spelling and a different value, it is a usage error naming both.
 */
export function deprecatedAlias(cmd: Command, oldFlags: string, newFlag: string): Command {
  const old = new Option(oldFlags).hideHelp();
  cmd.addOption(old);
  const oldKey = old.attributeName();
  const newKey = attributeOf(newFlag);
  const oldName = old.long ?? oldFlags.split(/[ ,]/)[0]!;
  cmd.hook('preAction', (thisCommand) => {
    const value: unknown = thisCommand.getOptionValue(oldKey);
    if (value === undefined || thisCommand.getOptionValueSource(oldKey) === 'default') return;
    const current: unknown = thisCommand.getOptionValue(newKey);
    if (thisCommand.getOptionValueSource(newKey) === 'cli' && current !== value) {
      throw new UserError(`give ${newFlag} or the old ${oldName}, not both`, 'usage', newFlag);
    }
    thisCommand.setOptionValueWithSource(newKey, value, 'cli');
    process.stderr.write(`tenancy: note: ${oldName} is deprecated and goes away in the next release; use ${newFlag}\n`);
  });
  return cmd;
}

/** Which pacing and timeout options a command takes. */
export interface PacingChoice {
  batchSize?: string;
  batchMs?: boolean;
  duty?: boolean;
  throttleMs?: string;
  lockTimeoutMs?: boolean;
  statementTimeoutMs?: boolean;
}

/**
 * Add the pacing/timeout options named in `which` (the value is the default, if any), each with
 * units in its name, and the old spellings (`--batch`, `--throttle`, `--lock-timeout`,
 * `--statement-timeout`) as deprecated aliases.
 */
export function addPacingOptions(cmd: Command, which: PacingChoice): Command {
  if (which.batchSize !== undefined) {
    cmd.option('--batch-size <n>', 'keys in the first batch (then sized by --batch-ms)', which.batchSize || undefined);
    deprecatedAlias(cmd, '--batch <n>', '--batch-size');
  }
  if (which.batchMs) cmd.option('--batch-ms <ms>', 'shrink or grow batches so each commits in about this long (0: fixed --batch-size)');
  if (which.duty) cmd.option('--duty <fraction>', 'a fixed share of time spent working, 0 to 1, instead of following the load\'s latency: after each batch rest (1/duty - 1) times its duration');
  if (which.throttleMs !== undefined) {
    cmd.option('--throttle-ms <ms>', 'pause between batches, in ms', which.throttleMs || undefined);
    deprecatedAlias(cmd, '--throttle <ms>', '--throttle-ms');
  }
  if (which.lockTimeoutMs) {
    cmd.option('--lock-timeout-ms <ms>', 'lock_timeout, in ms (default: the profile\'s)');
    deprecatedAlias(cmd, '--lock-timeout <ms>', '--lock-timeout-ms');
  }
  if (which.statementTimeoutMs) {
    cmd.option('--statement-timeout-ms <ms>', 'statement_timeout, in ms (default: the profile\'s)');
    deprecatedAlias(cmd, '--statement-timeout <ms>', '--statement-timeout-ms');
  }
  return cmd;
}

/** Add `--write` (required to write) and `--confirm-db` (production's typed database name). */
export function addWriteOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--write', `required: ${what}`)
    .option('--confirm-db <name>', 'on production: the database name, typed');
}

/** Refuse to go on without --write: exit 2, nothing written. */
export function requireWrite(o: { write?: boolean }, what: string): void {
  if (!o.write) throw new UserError(`${what} writes to the database: pass --write (and --confirm-db DBNAME on production)`, 'usage', '--write');
}

/**
 * Add `--allow-commands`: a runbook's `command` steps (the team's programs, argv without a shell)
 * run only with it, each argv printed before it starts; without it the run stops at the first one.
 */
export function addAllowCommandsOption(cmd: Command, section: string): Command {
  return cmd.option('--allow-commands', `run the command steps of the ${section} (programs of the team's, argv without a shell, each printed before it starts); without it the ${section} stops at the first one`);
}
