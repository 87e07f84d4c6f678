/** The contract: every request channel has a handler, names read domain/action, dispatch refuses bad input before handlers. */
import { describe, expect, it, vi } from 'vitest';
import { CONTRACT, listChannels } from '../../shared/contract/index.js';
import { CHANNEL_KINDS } from '../../shared/contract/names.js';
import { buildConsoleApi } from '../../shared/contract/client.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import type { HostContext } from '../../main/handlers/context.js';
import type { Handlers } from '../../main/handlers/types.js';

describe('the contract', () => {
  it('names every channel domain/action and has a handler for each request channel', () => {
    for (const c of listChannels()) {
      expect(c.name).toMatch(/^[a-z]+\/[a-zA-Z]+$/);
      if (c.channel.kind === 'request') {
        const handler = (HANDLERS as unknown as Record<string, Record<string, unknown>>)[c.domain]?.[c.action];
        expect(typeof handler, c.name).toBe('function');
      }
    }
  });

  it('builds one client function per channel and nothing generic', () => {
    const invoked: string[] = [];
    const api = buildConsoleApi({ invoke: async (ch) => { invoked.push(ch); return { ok: true, value: {} }; }, subscribe: () => () => undefined }, async () => CONTRACT);
    const names = Object.entries(api).flatMap(([d, actions]) => Object.keys(actions as object).map((a) => `${d}/${a}`));
    expect(names.sort()).toEqual(listChannels().map((c) => c.name).sort());
    expect('invoke' in api).toBe(false);
  });

  it('client functions throw the host error with its code', async () => {
    const api = buildConsoleApi({ invoke: async () => ({ ok: false, error: { message: 'nope', code: 'auth' } }), subscribe: () => () => undefined }, async () => CONTRACT);
    await expect(api.app.info({})).rejects.toMatchObject({ message: 'nope', code: 'auth' });
  });

  it('lists every channel with its kind in the schema-free name list', () => {
    const kinds = Object.entries(CHANNEL_KINDS).flatMap(([d, actions]) => Object.entries(actions).map(([a, k]) => `${d}/${a}:${k}`));
    expect(kinds.sort()).toEqual(listChannels().map((c) => `${c.name}:${c.channel.kind}`).sort());
  });

  /** A client whose schemas load when `release` is called, and the transport's one event emitter. */
  function lazyClient() {
    let emit: (payload: unknown) => void = () => undefined;
    let release: () => void = () => undefined;
    const loaded = new Promise<void>((resolve) => { release = resolve; });
    const counts = { loads: 0 };
    const api = buildConsoleApi(
      { invoke: async () => ({ ok: true, value: {} }), subscribe: (_ch, l) => { emit = l; return () => { emit = () => undefined; }; } },
      async () => { counts.loads += 1; await loaded; return CONTRACT; },
    );
    return { api, emit: (p: unknown) => emit(p), release: () => release(), counts };
  }
  const progress = (done: number) => ({ runId: 'r1', progress: { phase: 'table', done, total: 3 } });

  it('delivers events in arrival order once the schemas load, then as they come, and drops an invalid one', async () => {
    const c = lazyClient();
    const seen: number[] = [];
    const unsubscribe = c.api.checks.onProgress((e) => seen.push(e.progress.done));
    c.emit(progress(1));
    c.emit({ runId: 'r1', progress: { phase: 'no such phase', done: 2, total: 3 } });
    c.emit(progress(3));
    expect(seen).toEqual([]);
    c.release();
    await vi.waitFor(() => expect(seen).toEqual([1, 3]));
    c.emit(progress(4));
    expect(seen).toEqual([1, 3, 4]);
    unsubscribe();
    c.emit(progress(5));
    expect(seen).toEqual([1, 3, 4]);
    expect(c.counts.loads).toBe(1);
  });

  it('delivers nothing queued before the schemas loaded once the listener unsubscribed', async () => {
    const c = lazyClient();
    const seen: number[] = [];
    const unsubscribe = c.api.checks.onProgress((e) => seen.push(e.progress.done));
    c.emit(progress(1));
    unsubscribe();
    c.release();
    const after: number[] = [];
    c.api.checks.onProgress((e) => after.push(e.progress.done));
    c.emit(progress(2));
    await vi.waitFor(() => expect(after).toEqual([2]));
    expect(seen).toEqual([]);
  });

  it('asks for the schemas again on the next event after a failed load', async () => {
    let emit: (payload: unknown) => void = () => undefined;
    let attempts = 0;
    const api = buildConsoleApi(
      { invoke: async () => ({ ok: true, value: {} }), subscribe: (_ch, l) => { emit = l; return () => undefined; } },
      async () => { attempts += 1; if (attempts === 1) throw new Error('chunk dropped'); return CONTRACT; },
    );
    const reported: unknown[] = [];
    vi.stubGlobal('queueMicrotask', (fn: () => void) => { try { fn(); } catch (err) { reported.push(err); } });
    try {
      const seen: number[] = [];
      api.checks.onProgress((e) => seen.push(e.progress.done));
      emit(progress(1));
      await vi.waitFor(() => expect(reported).toHaveLength(1));
      expect((reported[0] as Error).message).toBe('chunk dropped');
      emit(progress(2));
      await vi.waitFor(() => expect(seen).toEqual([2]));
      expect(attempts).toBe(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('dispatch', () => {
  const called: string[] = [];
  const spy = Object.fromEntries(Object.entries(HANDLERS).map(([domain, actions]) => [
    domain,
    Object.fromEntries(Object.keys(actions).map((action) => [action, async () => { called.push(`${domain}/${action}`); return {}; }])),
  ])) as unknown as Handlers;
  const ctx = {} as HostContext;

  it.each([
    ['checks/run', { connectionId: 'c', runId: 'r', mode: 'exact', sql: 'DROP TABLE x' }],
    ['checks/run', null],
    ['profiles/remove', { name: 42 }],
    ['connection/setWriteMode', { id: 'c', enabled: 'yes' }],
  ])('rejects a bad %s payload without calling the handler', async (name, payload) => {
    called.length = 0;
    const r = await dispatch(spy, ctx, name, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-request');
    expect(called).toEqual([]);
  });

  it('refuses names outside the contract', async () => {
    for (const name of ['checks', 'checks/run/x', '__proto__/x', 'checks/onProgress', 'nope/nope']) {
      const r = await dispatch(spy, ctx, name, {});
      expect(r.ok, name).toBe(false);
    }
    expect(called).toEqual([]);
  });

  it('strips fields outside the response schema (nothing extra can leak)', async () => {
    const leaky = { ...HANDLERS, app: { ...HANDLERS.app, info: async () => ({ mode: 'browser', version: '1', storage: { persistent: false, backend: 'memory', note: null }, demoAvailable: false, password: 'hunter2' }) } } as unknown as Handlers;
    const r = await dispatch(leaky, ctx, 'app/info', {});
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });
});
