/**
 * Errors the user can fix: one line naming what to fix. The CLI maps them to exit code 2.
 */

/**
 * An error caused by input, configuration, connection or permissions, with a one-line fix;
 * `field` names the option or field to fix (`--samples`), when there is one.
 */
export class UserError extends Error {
  constructor(message: string, readonly code: string = 'usage', readonly field?: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Thrown when the operator cancels a long run (Ctrl-C, the UI's cancel button). */
export class CancelledError extends Error {
  constructor(message = 'cancelled by the operator') {
    super(message);
    this.name = 'CancelledError';
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: number;
  address?: string;
  port?: number;
}

/**
 * Translate a driver or server error into a UserError with a one-line fix, or return it unchanged.
 *
 * `where` names the target, e.g. "postgres@db.example:5432/app".
 */
export function explainConnectionError(err: unknown, where: string): Error {
  if (err instanceof UserError) return err;
  const e = (err ?? {}) as PgLikeError;
  const msg = e.message ?? String(err);
  switch (e.code) {
    case 'ECONNREFUSED':
      return new UserError(`cannot connect to ${where}: connection refused; check the host and port, and that the server is running`, 'connection');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`cannot connect to ${where}: host not found; check the host name in the profile or URL`, 'connection');
    case 'ETIMEDOUT':
      return new UserError(`cannot connect to ${where}: timed out; check the host, port and firewall`, 'connection');
    case '28P01':
      return new UserError(`password authentication failed for ${where}; set PGPASSWORD or add it to ~/.pgpass`, 'auth');
    case '28000':
      return new UserError(`the server refused ${where}: ${msg}; check pg_hba.conf and the user name`, 'auth');
    case '3D000':
      return new UserError(`database does not exist on ${where.replace(/\/[^/]*$/, '')}: ${msg}; check the database name`, 'connection');
    case '42501':
      return new UserError(`permission denied on ${where}: ${msg}`, 'permission');
    case '57P03':
      return new UserError(`the server at ${where} is starting up or shutting down; try again in a moment`, 'connection');
  }
  if (e.code === 'ECONNRESET' || /Connection terminated|socket hang up/i.test(msg)) {
    return new UserError(`cannot connect to ${where}: the server closed the connection before the session began (${msg}); check that host and port are a PostgreSQL server that accepts this client (pg_hba.conf, sslmode)`, 'connection');
  }
  if (/self[- ]signed|certificate|SSL/i.test(msg)) {
    return new UserError(`TLS failed for ${where}: ${msg}; check sslmode and the CA file`, 'connection');
  }
  if (/password must be a string|client password must be/i.test(msg)) {
    return new UserError(`no password for ${where}; set PGPASSWORD or add it to ~/.pgpass`, 'auth');
  }
  return err instanceof Error ? err : new Error(msg);
}
