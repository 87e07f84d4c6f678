/**
 * Profiles: list, save (with a password given once), remove, parse a pasted URL, test a connection.
 * No response here has a field for a password: the host keeps it.
 */
import { z } from 'zod';
import { FingerprintSchema } from '../findings.js';
import { ProfileSchema } from '../profile.js';
import { Empty, event, request } from './channel.js';

/** A profile as the renderer sees it: the stored profile plus where its password lives. */
export const ProfileViewSchema = ProfileSchema.extend({
  /** The host holds a password for this profile (never sent). */
  hasSavedPassword: z.boolean(),
  /** Lives only for this process (demo profiles in browser mode). */
  ephemeral: z.boolean(),
});
export type ProfileView = z.infer<typeof ProfileViewSchema>;

/** Where passwords can be kept on this host, and why not when they cannot. */
export const SecretStorageSchema = z.object({
  persistent: z.boolean(),
  backend: z.string(),
  /** Shown next to "remember password" when persistent is false. */
  note: z.string().nullable(),
});
export type SecretStorage = z.infer<typeof SecretStorageSchema>;

/** A password given once: used now, remembered only when asked and possible. */
export const PasswordInputSchema = z.object({
  value: z.string().max(4096),
  remember: z.boolean(),
});

export const profilesContract = {
  list: request(Empty, z.object({ profiles: z.array(ProfileViewSchema), storage: SecretStorageSchema })),
  save: request(
    z.object({
      profile: ProfileSchema,
      /** When renaming, the name the profile had. */
      previousName: z.string().optional(),
      password: PasswordInputSchema.optional(),
      /** Moving a production profile to another environment: its database name, typed. */
      confirmDatabase: z.string().max(4096).optional(),
    }).strict(),
    z.object({ profile: ProfileViewSchema, note: z.string().nullable() }),
  ),
  remove: request(z.object({ name: z.string().min(1) }).strict(), Empty),
  parseUrl: request(
    z.object({ url: z.string().min(1).max(4096) }).strict(),
    z.object({
      host: z.string(), port: z.number(), database: z.string(), user: z.string(),
      sslmode: ProfileSchema.shape.sslmode.optional(),
      /** The URL carried a password (the renderer already has it; the host does not echo it). */
      hasPassword: z.boolean(),
    }),
  ),
  test: request(
    z.object({ profile: ProfileSchema, password: z.string().max(4096).optional() }).strict(),
    z.object({ fingerprint: FingerprintSchema }),
  ),
  /** Fired when the profile list changes (saved, removed, demo profiles added). */
  onChanged: event(Empty),
};
