/** The runbooks and backfill channels: registered with a handler each, and bad payloads refused before any handler runs. */
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
    return { cancelled: true, paused: true };
  }])),
])) as unknown as Handlers;
const ctx = {} as HostContext;
const run = 'run_20250101_120000_abcdef';
const step = { connectionId: 'c1', run };

describe('runbooks and backfill channels', () => {
  it('are in the contract, each with its handler', () => {
    const names = listChannels().filter((c) => c.domain === 'runbooks' || c.domain === 'backfill').map((c) => c.name).sort();
    expect(names).toEqual([
      'backfill/cancel', 'backfill/pause', 'backfill/resume',
      'runbooks/cancel', 'runbooks/list', 'runbooks/onBackfill', 'runbooks/onStep', 'runbooks/open', 'runbooks/preview', 'runbooks/runStep', 'runbooks/status', 'runbooks/templates', 'runbooks/verify', 'runbooks/window',
    ]);
  });

  it.each([
    ['runbooks/templates', { dir: '/etc' }],
    ['runbooks/open', { connectionId: 'c1', source: { kind: 'template', template: '../../etc/passwd' } }],
    ['runbooks/open', { connectionId: 'c1', source: { kind: 'template', template: '0000' } }],
    ['runbooks/open', { connectionId: 'c1', source: { kind: 'file', path: '   ' } }],
    ['runbooks/open', { connectionId: 'c1', source: { kind: 'run', run: '../run_20250101_120000_abcdef' } }],
    ['runbooks/open', { connectionId: 'c1', source: { kind: 'url', url: 'http://x' } }],
    ['runbooks/open', { connectionId: 'c1', source: { kind: 'template', template: '000', path: '/tmp/x.yaml' } }],
    ['runbooks/open', { connectionId: 'c1' }],
    ['runbooks/list', { dir: '/etc' }],
    ['runbooks/status', { run: 'run_2025' }],
    ['runbooks/status', { run, file: '/etc/passwd' }],
    ['runbooks/runStep', { run }],
    ['runbooks/runStep', { ...step, step: 'Backfill; DROP TABLE x' }],
    ['runbooks/runStep', { ...step, note: '   ' }],
    ['runbooks/runStep', { ...step, note: 'x'.repeat(2001) }],
    ['runbooks/runStep', { ...step, confirmed: 'not-a-digest' }],
    ['runbooks/preview', { connectionId: 'c1', run: 'run_20250101_120000_abcdef', step: '../x' }],
    ['runbooks/runStep', { ...step, untilStop: 'yes' }],
    ['runbooks/runStep', { ...step, operator: 'someone else' }],
    ['runbooks/cancel', { run: 42 }],
    ['runbooks/verify', { run: 'run_20250101_120000_ABCDEF' }],
    ['runbooks/window', { run: '../run_20250101_120000_abcdef' }],
    ['runbooks/window', { run, dir: '/etc' }],
    ['backfill/pause', { id: 'bf_1' }],
    ['backfill/resume', { id: "bf_0123456789'; --" }],
    ['backfill/cancel', {}],
    ['backfill/cancel', { id: 'bf_0123456789', run }],
  ])('rejects a bad %s payload without calling the handler (%j)', async (name, payload) => {
    called.length = 0;
    const r = await dispatch(spy, ctx, name, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-request');
    expect(called).toEqual([]);
  });

  it('passes a valid sign-off through with the note trimmed', async () => {
    called.length = 0;
    await dispatch(spy, ctx, 'runbooks/runStep', { ...step, step: 'deploy', note: '  checked /sign-in  ' });
    expect(called).toEqual([{ name: 'runbooks/runStep', req: { ...step, step: 'deploy', note: 'checked /sign-in' } }]);
    const r = await dispatch(spy, ctx, 'backfill/pause', { id: 'bf_0123456789' });
    expect(r).toEqual({ ok: true, value: { paused: true } });
  });

  it('answers a closed connection with the reconnect message, and an unknown backfill with a one-line error', async () => {
    const real = { connections: new ConnectionManager(), configDir: '/nonexistent' } as unknown as HostContext;
    expect(await dispatch(HANDLERS, real, 'runbooks/runStep', step)).toEqual({ ok: false, error: { code: 'connection', message: expect.stringContaining('connect again') } });
    expect(await dispatch(HANDLERS, real, 'backfill/pause', { id: 'bf_0123456789' })).toEqual({ ok: false, error: { code: 'usage', message: expect.stringContaining('not running') } });
    expect(await dispatch(HANDLERS, real, 'runbooks/verify', { run })).toEqual({ ok: false, error: { code: 'usage', message: expect.stringContaining(`no run ${run}`) } });
  });
});
