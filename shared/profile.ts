/**
 * Connection profiles: how to reach a database and what its tenancy looks like. Never a password.
 */
import { z } from 'zod';
import { ModelSettingsSchema } from './model.js';

export const EnvironmentSchema = z.enum(['production', 'staging', 'development']);
export type Environment = z.infer<typeof EnvironmentSchema>;

export const SslModeSchema = z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']);
export type SslMode = z.infer<typeof SslModeSchema>;

export const ProfileNameSchema = z
  .string()
  .min(1, 'a profile needs a name')
  .max(64, 'profile names are at most 64 characters')
  .regex(/^[\p{L}\p{N}_.-][\p{L}\p{N} _.-]*$/u, 'profile names use letters, digits, spaces, "_", "." and "-"');

export const ProfileSchema = z.object({
  name: ProfileNameSchema,
  host: z.string().min(1).max(255, 'host names are at most 255 characters'),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1).max(256, 'database names are at most 256 characters'),
  user: z.string().min(1).max(256, 'user names are at most 256 characters'),
  sslmode: SslModeSchema.default('prefer'),
  sslRootCert: z.string().max(4096).optional(),
  environment: EnvironmentSchema.default('development'),
  tenancy: ModelSettingsSchema.default({}),
  rlsRole: z.string().max(256).optional(),
  rlsSetting: z.string().max(256).optional(),
  /** The server this profile must reach (its system identifier); runbook preflight fails elsewhere. */
  systemIdentifier: z.string().regex(/^[0-9]+$/, 'a system identifier is digits').optional(),
  statementTimeoutMs: z.number().int().min(0).default(30_000),
  lockTimeoutMs: z.number().int().min(0).default(3_000),
  /** The most sessions one exact check opens: 2 reads sample rows on a second session while the first scans on; 1 keeps to one. */
  scanSessions: z.number().int().min(1).max(2).default(2),
  /** Where the password lives: never the password itself. */
  passwordSource: z.enum(['none', 'keychain', 'env', 'pgpass', 'prompt']).default('none'),
});
export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;

export const ProfileFileSchema = z.object({
  version: z.literal(1),
  profiles: z.array(ProfileSchema),
});
export type ProfileFile = z.infer<typeof ProfileFileSchema>;
