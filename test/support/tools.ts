/**
 * External programs some tests need beyond what `npm install` brings (Chromium, poppler's pdftoppm).
 * Absent on a developer's machine: the test is skipped with one loud line saying what to install,
 * never passed. Under CI (CI=true), where `.ci/run` installs them, an absent tool is a failure.
 */
import { spawnSync } from 'node:child_process';

/** Whether `command` runs here (found on PATH). */
export function hasCommand(command: string): boolean {
  const r = spawnSync(command, ['-v'], { stdio: 'ignore' });
  return !r.error;
}

/**
 * True when the tool is present. When it is not: under CI, throws (the run must fail); otherwise
 * prints a loud skip line naming `what` is skipped and how to install the tool, and returns false.
 */
export function requireTool(present: boolean, tool: string, install: string, what: string): boolean {
  if (present) return true;
  if (process.env.CI === 'true') throw new Error(`${tool} is required under CI (${install}); ${what} cannot run`);
  const line = '!'.repeat(78);
  process.stderr.write(`\n${line}\n!! SKIPPED: ${what}\n!! ${tool} is not installed (${install}).\n${line}\n\n`);
  return false;
}
