/** The tenancy model of a connection's database (cached by the host until refreshed). */
import { z } from 'zod';
import { ModelSummarySchema, TenancyModelSchema } from '../model.js';
import { request } from './channel.js';
import { ConnectionIdSchema } from './connection.js';

export const modelContract = {
  load: request(
    z.object({ connectionId: ConnectionIdSchema, refresh: z.boolean().optional() }).strict(),
    z.object({ model: TenancyModelSchema, summary: ModelSummarySchema, loadedAt: z.string() }),
  ),
};
