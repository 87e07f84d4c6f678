/** The backups channels: registered with a handler each, and bad payloads refused before any handler runs. */
import { describe, expect, it } from 'vitest';
import { listChannels } from '../../shared/contract/index.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { ConnectionManager } from '../../main/engine/host/connections.js';
import type { HostContext } from '../../main/handlers/context.js';
import type { Handlers } from '../../main/handlers/types.js';

const called: { name: string; req: unknown }[] = [];
const spy = Object.fromEntries(Object.entries(HANDLERS).map(([domain, actions]) => [
  domain,
  Object.fromEntries(Object.keys(actions).map((action) => [action, async (req: unknown) => {
    called.push({ name: `${domain}/${action}`, req });
    return [];
  }])),
])) as unknown as Handlers;
const ctx = {} as HostContext;
const conn = { connectionId: 'c1' };
const restore = { ...conn, backupId: 3, scope: { kind: 'tenant', tenant: '7' }, strategy: 'replace', dryRun: true };

describe('backups channels', () => {
  it('are in the contract, each with its handler', () => {
    const names = listChannels().filter((c) => c.domain === 'backups').map((c) => c.name).sort();
    expect(names).toEqual(['backups/compare', 'backups/create', 'backups/drop', 'backups/list', 'backups/restore', 'backups/tenants', 'backups/verify']);
    for (const n of names) expect(typeof (HANDLERS.backups as Record<string, unknown>)[n.split('/')[1]!]).toBe('function');
  });

  it.each([
    ['backups/list', { connectionId: 42 }],
    ['backups/list', { ...conn, sql: 'DROP TABLE x' }],
    ['backups/create', { ...conn, schema: 'public' }],
    ['backups/create', { ...conn, schema: 'public', table: '' }],
    ['backups/verify', { ...conn, id: '1; DROP TABLE x' }],
    ['backups/drop', { ...conn, id: -1 }],
    ['backups/drop', { ...conn, id: 1.5 }],
    ['backups/compare', { ...conn, id: 1, samples: 10_000 }],
    ['backups/compare', { ...conn, id: 1, scope: { kind: 'everything' } }],
    ['backups/compare', { ...conn, id: 1, scope: { kind: 'keys', keys: [] } }],
    ['backups/tenants', { ...conn, limit: 5 }],
    ['backups/restore', { ...restore, strategy: 'truncate' }],
    ['backups/restore', { ...restore, dryRun: undefined }],
    ['backups/restore', { ...restore, scope: { kind: 'tenant', tenant: '' } }],
    ['backups/restore', { ...restore, setColumns: [{ column: '', value: '1' }] }],
    ['backups/restore', { ...restore, lockTimeoutMs: -5 }],
    ['backups/restore', { ...restore, disableTriggers: true }],
    ['backups/restore', { ...restore, connectionId: undefined }],
  ])('rejects a bad %s payload without calling the handler (%j)', async (name, payload) => {
    called.length = 0;
    const r = await dispatch(spy, ctx, name, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-request');
    expect(called).toEqual([]);
  });

  it('passes a valid restore through with its defaults filled in', async () => {
    called.length = 0;
    const r = await dispatch(spy, ctx, 'backups/restore', restore);
    expect(r.ok).toBe(false); // the spy's [] is not a RestoreResult: the response is checked too
    expect(called).toEqual([{ name: 'backups/restore', req: { ...restore, setColumns: [], acceptMismatch: false } }]);
  });

  it('answers a closed connection with the one-line reconnect message, reaching no engine', async () => {
    const real = { connections: new ConnectionManager() } as unknown as HostContext;
    const r = await dispatch(HANDLERS, real, 'backups/restore', restore);
    expect(r).toEqual({ ok: false, error: { code: 'connection', message: expect.stringContaining('connect again') } });
  });
});
