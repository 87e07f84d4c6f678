/** The host itself: which door the renderer came through, and the demo offer. */
import { z } from 'zod';
import { Empty, request } from './channel.js';
import { SecretStorageSchema } from './profiles.js';

export const AppInfoSchema = z.object({
  mode: z.enum(['electron', 'browser']),
  version: z.string(),
  storage: SecretStorageSchema,
  /** The demo can be started from the UI (offered when no profile exists yet). */
  demoAvailable: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const appContract = {
  info: request(Empty, AppInfoSchema),
  /** Start the demo database and add its scenarios as profiles. */
  startDemo: request(Empty, z.object({ profiles: z.array(z.string()), note: z.string() })),
};
