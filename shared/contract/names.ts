/**
 * Every channel's name and kind, without its schemas: what a client needs to build its functions.
 * The renderer builds its API from this at startup and loads the schemas (zod, every domain's
 * shapes) only when the first event arrives, so the first render neither parses nor runs them.
 * The type below makes the typechecker refuse a list that differs from CONTRACT in any channel.
 */
import type { Contract } from './index.js';

/** Each domain's actions, 'request' or 'event', exactly as in CONTRACT. */
export type ChannelKinds = { [D in keyof Contract]: { [A in keyof Contract[D]]: Contract[D][A] extends { kind: infer K } ? K : never } };

/** The contract's channels by domain and action, kinds only. */
export const CHANNEL_KINDS = {
  app: { info: 'request', startDemo: 'request' },
  profiles: { list: 'request', save: 'request', remove: 'request', parseUrl: 'request', test: 'request', onChanged: 'event' },
  connection: { open: 'request', close: 'request', list: 'request', setWriteMode: 'request' },
  model: { load: 'request' },
  checks: { run: 'request', cancel: 'request', onProgress: 'event' },
  distribution: { get: 'request', summary: 'request', tenantRows: 'request', orphanRows: 'request', placement: 'request' },
  backups: { list: 'request', create: 'request', verify: 'request', drop: 'request', compare: 'request', tenants: 'request', restore: 'request' },
  migrations: { status: 'request', lint: 'request', preflight: 'request', estimates: 'request', apply: 'request', cancel: 'request', onEvent: 'event' },
  reports: { export: 'request', list: 'request', read: 'request', verify: 'request', pack: 'request', diff: 'request' },
  audit: { list: 'request', verify: 'request' },
  runbooks: { templates: 'request', open: 'request', list: 'request', status: 'request', runStep: 'request', preview: 'request', cancel: 'request', verify: 'request', window: 'request', onStep: 'event', onBackfill: 'event' },
  backfill: { pause: 'request', resume: 'request', cancel: 'request' },
  tenant: { find: 'request', footprint: 'request', cancelFootprint: 'request', onFootprintProgress: 'event', rows: 'request', visibility: 'request' },
} as const satisfies ChannelKinds;
