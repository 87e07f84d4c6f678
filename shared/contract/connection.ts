/**
 * Connections: open a session from a profile, close it, switch write mode (production: type the
 * database name). Sessions live in the host, the renderer holds only their ids.
 */
import { z } from 'zod';
import { FingerprintSchema } from '../findings.js';
import { Empty, request } from './channel.js';
import { ProfileViewSchema } from './profiles.js';

export const ConnectionIdSchema = z.string().min(1).max(64);

/** An open connection as the renderer sees it. */
export const ConnectionViewSchema = z.object({
  id: ConnectionIdSchema,
  profile: ProfileViewSchema,
  fingerprint: FingerprintSchema,
  writable: z.boolean(),
  openedAt: z.string(),
});
export type ConnectionView = z.infer<typeof ConnectionViewSchema>;

export const connectionContract = {
  open: request(
    z.object({
      profile: z.string().min(1),
      /** Needed when the host has none saved; used for this session and remembered only if asked. */
      password: z.string().max(4096).optional(),
      remember: z.boolean().optional(),
    }).strict(),
    ConnectionViewSchema,
  ),
  close: request(z.object({ id: ConnectionIdSchema }).strict(), Empty),
  list: request(Empty, z.object({ connections: z.array(ConnectionViewSchema) })),
  setWriteMode: request(
    z.object({
      id: ConnectionIdSchema,
      enabled: z.boolean(),
      /** On production: the database name, typed by the operator. */
      confirmDatabase: z.string().max(256).optional(),
    }).strict(),
    ConnectionViewSchema,
  ),
};
