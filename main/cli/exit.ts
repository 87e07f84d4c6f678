/**
 * The exit code a command asks for: checks set 1 when there are error-severity findings.
 */
export const exitState = { code: 0 };
