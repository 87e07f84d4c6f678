/**
 * The exit code a command asks for: checks set 1 when there are error-severity findings.
 */
export const exitState = { code: 0 };

/** The conventional exit code of a command stopped by `signal`: 130 for Ctrl-C, 143 for SIGTERM. */
export function signalExitCode(signal: string): number {
  return signal === 'SIGTERM' ? 143 : 130;
}
