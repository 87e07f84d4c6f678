/**
 * The production guard does not depend on a label someone forgot or changed: a session opened
 * from a bare URL is production unless the operator says otherwise (`--env`, TENANCY_ENV), and a
 * saved profile leaves production only when the database name is typed.
 */
import { EnvironmentSchema, type Environment, type Profile } from '../../shared/profile.js';
import { UserError } from './errors.js';

/**
 * The environment of a target given as a URL: `--env`, else TENANCY_ENV, else production (so
 * writing needs the typed database name, as on any production profile).
 */
export function urlEnvironment(given: string | undefined, env: NodeJS.ProcessEnv = process.env): Environment {
  const raw = given ?? (env.TENANCY_ENV || undefined);
  if (raw === undefined) return 'production';
  const parsed = EnvironmentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(`${given !== undefined ? '--env' : 'TENANCY_ENV'} must be development, staging or production, not "${raw}"`, 'usage');
  }
  return parsed.data;
}

/**
 * Refuse to move a saved production profile to another environment (or re-save it as one)
 * unless `confirmDatabase` is its database name.
 */
export function requireDowngradeConfirmation(previous: Pick<Profile, 'environment' | 'database' | 'name'> | null, next: { environment?: Environment }, confirmDatabase: string | undefined, how: string): void {
  if (!previous || previous.environment !== 'production') return;
  const to = next.environment ?? 'development';
  if (to === 'production') return;
  if (confirmDatabase === previous.database) return;
  throw new UserError(
    `profile "${previous.name}" is production; changing it to ${to} switches off the production safeguards: ${how} "${previous.database}"`,
    'permission',
  );
}
