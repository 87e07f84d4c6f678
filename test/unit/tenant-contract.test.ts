/** The tenant channels: bad payloads (unknown fields, hostile cursors, unbounded pages, unknown filter ops) refused before any handler runs. */
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { ConnectionManager } from '../../main/engine/host/connections.js';
import type { HostContext } from '../../main/handlers/context.js';
import type { Handlers } from '../../main/handlers/types.js';

const called: string[] = [];
const spy = { ...HANDLERS, tenant: Object.fromEntries(Object.keys(HANDLERS.tenant).map((a) => [a, async () => { called.push(a); return {}; }])) } as unknown as Handlers;
const ctx = {} as HostContext;
const rows = { connectionId: 'c1', tenant: '1', schema: 'public', table: 'tasks' };

describe('tenant channels', () => {
  it.each([
    ['tenant/find', { connectionId: 'c1', query: '' }],
    ['tenant/find', { connectionId: 'c1', query: 'acme', limit: 100000 }],
    ['tenant/footprint', { connectionId: 'c1' }],
    ['tenant/rows', { ...rows, limit: 5000 }],
    ['tenant/rows', { ...rows, limit: 0 }],
    ['tenant/rows', { ...rows, filters: [{ column: 'title', op: 'regex', value: '.*' }] }],
    ['tenant/rows', { ...rows, filters: Array(9).fill({ column: 'title', op: 'is-null' }) }],
    ['tenant/rows', { ...rows, after: Array(17).fill('1') }],
    ['tenant/rows', { ...rows, scope: { kind: 'everything' } }],
    ['tenant/rows', { ...rows, sql: 'SELECT 1' }],
    ['tenant/visibility', { connectionId: 'c1', tenant: '1', role: '' }],
  ])('rejects a bad %s payload without calling the handler (%j)', async (name, payload) => {
    called.length = 0;
    const r = await dispatch(spy, ctx, name, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-request');
    expect(called).toEqual([]);
  });

  it('passes a valid page request through to the handler', async () => {
    called.length = 0;
    await dispatch(spy, ctx, 'tenant/rows', rows);
    expect(called).toEqual(['rows']);
  });

  it('answers a closed connection with the reconnect message', async () => {
    const real = { connections: new ConnectionManager(), configDir: '/nonexistent' } as unknown as HostContext;
    expect(await dispatch(HANDLERS, real, 'tenant/footprint', { connectionId: 'c1', tenant: '1' })).toEqual({ ok: false, error: { code: 'connection', message: expect.stringContaining('connect again') } });
  });
});
