/**
 * The console asks for the model and the instant estimate at once on connect: a model request that
 * arrives while another is reading the catalogs shares that read (one model, not two), and a
 * refresh reads again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../shared/contract/channel.js';
import { MemorySecretStore } from '../../main/engine/host/secret-store.js';
import { createHostContext, type HostContext } from '../../main/handlers/context.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { ensureModel } from '../../main/handlers/model.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { cleanSql } from './fixtures/tenancy.js';

const role = `app_${crypto.randomBytes(4).toString('hex')}`;
let db: TestDatabase;
let ctx: HostContext;
let configDir: string;
const call = (channel: string, payload: unknown) => dispatch(HANDLERS, ctx, channel, payload) as Promise<Envelope>;

async function openConnection(): Promise<string> {
  const open = await call('connection/open', { profile: 'shared-load' });
  if (!open.ok) throw new Error(open.error.message);
  return (open.value as { id: string }).id;
}

beforeAll(async () => {
  db = await createTestDatabase(cleanSql(role));
  const u = new URL(db.url);
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-model-'));
  ctx = createHostContext({
    mode: 'browser', version: 'test', configDir,
    secrets: new MemorySecretStore({ persistent: false, backend: 'memory', note: 'test' }),
    emit: () => undefined, audit: () => undefined,
  });
  const profile = { name: 'shared-load', host: u.hostname, port: Number(u.port), database: decodeURIComponent(u.pathname.slice(1)), user: decodeURIComponent(u.username), sslmode: 'disable' };
  const saved = await call('profiles/save', { profile, password: { value: decodeURIComponent(u.password), remember: true } });
  expect(saved.ok).toBe(true);
});

afterAll(async () => {
  await ctx?.connections.closeAll();
  await db?.drop();
  await db?.exec(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
});

describe('ensureModel', () => {
  it('gives requests that arrive during a load the same model, from one catalog read', async () => {
    const conn = ctx.connections.get(await openConnection());
    const [a, b] = await Promise.all([ensureModel(conn), ensureModel(conn)]);
    expect(b).toBe(a);
    expect(a.model.tables.map((t) => t.table)).toContain('notes');
    expect(await ensureModel(conn)).toBe(a);
  });

  it('reads the catalogs again on refresh, also while a load is running', async () => {
    const conn = ctx.connections.get(await openConnection());
    const first = ensureModel(conn);
    const refreshed = ensureModel(conn, true);
    expect(await refreshed).not.toBe(await first);
    expect(await ensureModel(conn)).toBe(await refreshed);
  });

  it('answers model/load and the estimate sent at once, both about the same tables', async () => {
    const connectionId = await openConnection();
    const [model, estimate] = await Promise.all([
      call('model/load', { connectionId }),
      call('checks/run', { connectionId, runId: crypto.randomUUID(), mode: 'estimate' }),
    ]);
    if (!model.ok || !estimate.ok) throw new Error('model/load or checks/run failed');
    const tables = (model.value as { summary: { tables: number } }).summary.tables;
    expect((estimate.value as { model: { tables: number } }).model.tables).toBe(tables);
  });
});
