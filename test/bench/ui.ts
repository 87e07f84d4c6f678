/**
 * `npm run bench -- ui [tables] [tenants] [rounds]`: the real renderer in Chromium, fed synthetic data
 * through browser mode's real server and contract: 2,000 tables x 10,000 tenants against 20 x 100 in
 * the same run. Prints time to first render and interaction latency for both, and the ratio
 * (virtualization keeps it flat): the median of `rounds` (3) rounds after a warm-up round, with the
 * worst round beside it (one round on a 2-core machine moves by tens of ms with its neighbours).
 * Targets (issue 17, item 5), judged on the big scale: first render of Overview under 500 ms, every
 * interaction under 100 ms; a miss prints MISSED and `npm run bench` exits 1. Judged on what the user
 * waits, timed inside the page (input event to painted result); Playwright's wall clock for each step
 * is printed beside it: on a loaded 2-core machine its own round trips and backoff polling (0, 20, 50,
 * 100 ms) add 30-150 ms that no user waits, even at 20 x 100.
 */
import type { Page } from 'playwright';
import { indexDistribution, tenantRowsOf, type IndexedDistribution } from '../../shared/distribution-summary.js';
import { HANDLERS } from '../../main/handlers/index.js';
import type { Handlers } from '../../main/handlers/types.js';
import { startBrowserHost } from '../../main/serve/host.js';
import { ensureRendererBuilt, launchChromium } from '../e2e/support/browser.js';
import { verdict } from './verdict.js';
import { FINGERPRINT, PROFILE, syntheticDistribution, syntheticFootprint, syntheticModel, syntheticRows, syntheticRun } from './ui-data.js';

function handlersFor(tables: number, tenants: number): Handlers {
  const model = syntheticModel(tables);
  const run = syntheticRun(model);
  const dist = syntheticDistribution(model, tenants);
  // As the host: indexed once on the first summary (or tenant rows) asked for, kept after.
  let indexed: IndexedDistribution | null = null;
  const counted = () => (indexed ??= indexDistribution(dist, tables, new Date().toISOString()));
  const profile = { ...PROFILE, hasSavedPassword: true, ephemeral: true };
  const conn = { id: 'bench', profile, fingerprint: FINGERPRINT, writable: false, openedAt: new Date().toISOString() };
  return {
    ...HANDLERS,
    profiles: { ...HANDLERS.profiles, list: async () => ({ profiles: [profile], storage: { persistent: false, backend: 'memory', note: null } }) },
    connection: { ...HANDLERS.connection, list: async () => ({ connections: [conn] }) },
    model: { load: async () => ({ model, summary: run.model, loadedAt: new Date().toISOString() }) },
    checks: { ...HANDLERS.checks, run: async () => run },
    distribution: {
      ...HANDLERS.distribution,
      get: async () => dist,
      summary: async () => counted().summary,
      tenantRows: async ({ tenants: ids }) => tenantRowsOf(counted(), ids),
    },
    tenant: {
      find: async ({ query }) => ({ query, matches: [{ id: '77', name: 'Tenant 77', slug: 'tenant-77', matchedBy: 'name' as const }], truncated: false }),
      footprint: async () => syntheticFootprint(model),
      rows: async ({ schema, table }) => syntheticRows(schema, table),
      visibility: HANDLERS.tenant.visibility,
      cancelFootprint: HANDLERS.tenant.cancelFootprint,
    },
  };
}

/** Two figures per step: what the user waits (in the page) and what the Playwright driver waited. */
export interface StepTimes {
  /** Of several rounds (combineRounds): the longest user wait; else the same as `user`. */
  worst: number;
  /** From the acting event (click, key, typed text; first render: navigation start) to the frame that paints the result, timed inside the page. */
  user: number;
  /** Wall clock of the whole Playwright step: the driver's actionability checks, round trips and backoff polling included. */
  driver: number;
}

/**
 * The in-page probe (a string: it runs in the page, not in Node). `arm(ready)` waits for the next
 * event that acts (click, keydown, beforeinput: what the page's handlers answer), then for `ready()`
 * to hold after a DOM mutation, then for the next frame to paint (rAF, then a task). The clock
 * starts at the event's own timestamp, so time the event waited in a busy main thread counts, as
 * in the browser's Interaction to Next Paint; `painted - act` is what the user waited.
 */
const PROBE = `(() => {
  window.__uiProbe = {
    arm(ready) {
      const p = { act: null, seen: null, painted: null };
      window.__uiLatency = p;
      const check = () => {
        if (p.act === null || p.seen !== null || !ready()) return;
        p.seen = performance.now();
        obs.disconnect();
        requestAnimationFrame(() => setTimeout(() => { p.painted = performance.now(); }, 0));
      };
      const obs = new MutationObserver(check);
      obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      const onInput = (e) => {
        if (p.act !== null) return;
        p.act = e.timeStamp;
        for (const t of ['click', 'keydown', 'beforeinput']) window.removeEventListener(t, onInput, true);
        queueMicrotask(check);
      };
      for (const t of ['click', 'keydown', 'beforeinput']) window.addEventListener(t, onInput, true);
    },
  };
})()`;

/** First render, timed from navigation start (the page's time origin) by a probe installed before any script of the page. */
const FIRST_RENDER_PROBE = `(() => {
  const p = { act: 0, seen: null, painted: null };
  window.__uiLatency = p;
  const ready = () => document.querySelector('[data-app-state="loaded"] [data-testid="findings"] [role="option"]') !== null;
  const obs = new MutationObserver(() => {
    if (p.seen !== null || !ready()) return;
    p.seen = performance.now();
    obs.disconnect();
    requestAnimationFrame(() => setTimeout(() => { p.painted = performance.now(); }, 0));
  });
  obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})()`;

/** Arm the probe: the next acting event starts the clock, `ready` (a JS expression over the DOM) stops it. */
async function arm(page: Page, ready: string): Promise<void> {
  await page.evaluate(`window.__uiProbe.arm(() => (${ready}))`);
}

/** The user's wait of the armed interaction, once its result has been painted. */
async function userWait(page: Page): Promise<number> {
  // A promise evaluated in the page (page.waitForFunction would compile its predicate with eval, which the CSP refuses).
  return Number(await page.evaluate(`new Promise((resolve) => {
    const poll = () => { const p = window.__uiLatency; if (p && p.painted !== null) resolve(p.painted - p.act); else setTimeout(poll, 5); };
    poll();
  })`));
}

/** One step: arm (unless first render), run the Playwright actions and waits, read both figures. */
async function step(page: Page, ready: string | null, fn: () => Promise<unknown>): Promise<StepTimes> {
  if (ready !== null) await arm(page, ready);
  const t0 = performance.now();
  await fn();
  const driver = performance.now() - t0;
  const user = await userWait(page);
  return { user, worst: user, driver };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Rounds of one scale as one: each step's median user wait and driver time and its worst user wait; counts and breakdowns of the last round. */
function combineRounds(rounds: Measures[]): Measures {
  const out: Measures = {};
  for (const k of Object.keys(rounds[0]!)) {
    const vs = rounds.map((r) => r[k]!);
    const steps = vs.filter((v): v is StepTimes => typeof v === 'object');
    out[k] = steps.length === vs.length
      ? { user: median(steps.map((v) => v.user)), worst: Math.max(...steps.map((v) => v.user)), driver: median(steps.map((v) => v.driver)) }
      : vs[vs.length - 1]!;
  }
  return out;
}

const q = (selector: string) => `document.querySelector(${JSON.stringify(selector)}) !== null`;
const textChanged = (selector: string, before: string | null) => `(document.querySelector(${JSON.stringify(selector)})?.textContent ?? null) !== ${JSON.stringify(before)}`;

/**
 * Where the first render's time went, from the page's own timings (navigation and resource
 * timing, ms from navigation start): the document, the scripts and styles, each API request
 * (start-end), DOMContentLoaded, and the painted overview.
 */
async function firstRenderBreakdown(page: Page): Promise<string> {
  return String(await page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const parts = ['document ' + nav.responseEnd.toFixed(0)];
    for (const r of performance.getEntriesByType('resource')) {
      const name = new URL(r.name).pathname.replace(/^\\/assets\\/([a-z]+)-[^.]+/, '$1');
      parts.push(name + ' ' + r.startTime.toFixed(0) + '-' + r.responseEnd.toFixed(0));
    }
    parts.push('DOMContentLoaded ' + nav.domContentLoadedEventEnd.toFixed(0));
    parts.push('painted ' + window.__uiLatency.painted.toFixed(0));
    return parts.join(', ');
  })()`));
}

/**
 * Where the last armed interaction's time went, in ms from its acting event: each request the page
 * made after it (start-end), the DOM change that showed the result, and the paint.
 */
async function interactionBreakdown(page: Page): Promise<string> {
  return String(await page.evaluate(`(() => {
    const p = window.__uiLatency;
    const at = (t) => (t - p.act).toFixed(0);
    const parts = [];
    for (const r of performance.getEntriesByType('resource')) {
      if (r.startTime < p.act) continue;
      parts.push(new URL(r.name).pathname + ' ' + at(r.startTime) + '-' + at(r.responseEnd));
    }
    parts.push('shown ' + at(p.seen), 'painted ' + at(p.painted));
    return parts.join(', ');
  })()`));
}

/** One scale's figures by measure: timed steps, counts (DOM nodes) and texts (the first render's breakdown). */
type Measures = Record<string, StepTimes | number | string>;

/** Measure one scale; every wait is on something the user would see. */
async function measure(page: Page, url: string): Promise<Measures> {
  const out: Measures = {};
  out['first render: overview with findings'] = await step(page, null, async () => {
    await page.goto(url);
    await page.locator('[data-app-state="loaded"]').waitFor();
    await page.getByTestId('findings').getByRole('option').first().waitFor();
  });
  out['first render: breakdown'] = await firstRenderBreakdown(page);
  await page.evaluate(PROBE);
  const nav = (label: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: label, exact: true }).click();
  out['open null-safety table'] = await step(page, q('[data-testid="ns-rows"] [role="option"]'), async () => {
    await nav('Null safety');
    await page.getByTestId('ns-rows').getByRole('option').first().waitFor();
  });
  const count = page.getByTestId('ns-count');
  const before = await count.textContent();
  out['filter tables (type "0001")'] = await step(page, textChanged('[data-testid="ns-count"]', before), async () => {
    await page.locator('input[name="table-filter"]').fill('0001');
    await count.filter({ hasNotText: before ?? '' }).waitFor();
  });
  await page.locator('input[name="table-filter"]').fill('');
  const rowsSorted = '[role="group"][aria-label="Sort by column"] button[data-sort="descending"]';
  out['sort by rows'] = await step(page, `[...document.querySelectorAll(${JSON.stringify(rowsSorted)})].some((b) => /^Rows/.test(b.textContent))`, async () => {
    // The header and the rows change in the same React commit: waiting for the header waits for both.
    // The sort buttons are a group of buttons (no ARIA grid since the walkthrough fixes): data-sort says the order.
    await page.getByRole('group', { name: 'Sort by column' }).getByRole('button', { name: /^Rows/ }).click();
    await page.locator(rowsSorted, { hasText: /^Rows/ }).waitFor();
  });
  await page.getByTestId('ns-rows').getByRole('option').first().click();
  await page.keyboard.press('Escape');
  await page.getByTestId('ns-rows').getByRole('option').first().focus();
  const last = Number(await page.getByTestId('ns-rows').getAttribute('data-count')) - 1;
  out['scroll to the last table (End key)'] = await step(page, q(`[data-testid="ns-rows"] [data-index="${last}"]`), async () => {
    await page.keyboard.press('End');
    await page.getByTestId('ns-rows').locator(`[data-index="${last}"]`).waitFor();
  });
  out['open distribution (tenant list)'] = await step(page, q('[data-testid="tenant-list"] [role="option"]'), async () => {
    await nav('Distribution');
    await page.getByTestId('tenant-list').getByRole('option').first().waitFor();
  });
  const tenantCount = page.getByTestId('tenant-count');
  const allTenants = await tenantCount.textContent();
  out['search tenants (type "Tenant 77")'] = await step(page, textChanged('[data-testid="tenant-count"]', allTenants), async () => {
    await page.locator('input[name="tenant-search"]').fill('Tenant 77');
    await tenantCount.filter({ hasNotText: allTenants ?? '' }).waitFor();
  });
  out["select a tenant (footprint chart)"] = await step(page, q('[data-testid="footprint"] svg'), async () => {
    await page.getByTestId('tenant-list').getByRole('option').first().click();
    await page.getByTestId('footprint').locator('svg').waitFor();
  });
  out['DOM nodes on the distribution page'] = await page.locator('*').count();
  await nav('Tenant');
  await page.locator('input[name="tenant-query"]').fill('Tenant 77');
  out['tenant page: find a tenant (footprint)'] = await step(page, q('[data-testid="footprint-tables"] tbody tr'), async () => {
    await page.locator('input[name="tenant-query"]').press('Enter');
    await page.getByTestId('footprint-tables').locator('tbody tr').first().waitFor();
  });
  out['tenant page: find a tenant: breakdown'] = await interactionBreakdown(page);
  out['tenant page: browse rows (first page)'] = await step(page, q('[data-testid="tenant-rows"] tbody tr'), async () => {
    await page.getByTestId('footprint-tables').getByRole('button', { name: /^Browse rows/, disabled: false }).first().click();
    await page.getByTestId('tenant-rows').locator('tbody tr').first().waitFor();
  });
  out['DOM nodes on the tenant page'] = await page.locator('*').count();
  await nav('Overview');
  return out;
}

/** Issue 17's targets: first render of Overview under 500 ms, every other timed step (an interaction) under 100 ms. */
export const FIRST_RENDER_TARGET_MS = 500;
/** The target of every interaction after the first render. */
export const INTERACTION_TARGET_MS = 100;

/** The target of one measure, or null for counts (DOM nodes) that have none. */
function targetOf(measure: string): number | null {
  if (measure.startsWith('DOM')) return null;
  return measure.startsWith('first render') ? FIRST_RENDER_TARGET_MS : INTERACTION_TARGET_MS;
}

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const big = { tables: Number(args[0] ?? 2000), tenants: Number(args[1] ?? 10000) };
  const small = { tables: 20, tenants: 100 };
  const rounds = Math.max(1, Number(args[2] ?? 3));
  // BENCH_RENDERER_DIR: another build of the renderer (e.g. of an earlier commit), to compare two builds run after run under the same load.
  const rendererDir = process.env.BENCH_RENDERER_DIR || (await ensureRendererBuilt());
  const browser = await launchChromium();
  try {
    const results: Measures[] = [];
    for (const scale of [small, big]) {
      const host = await startBrowserHost({ handlers: handlersFor(scale.tables, scale.tenants), rendererDir });
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.addInitScript(FIRST_RENDER_PROBE);
      try {
        await measure(page, host.url); // warm-up: JIT, caches
        const measured: Measures[] = [];
        for (let i = 0; i < rounds; i++) measured.push(await measure(page, host.url));
        results.push(combineRounds(measured));
      } finally {
        await page.close();
        await host.close();
      }
    }
    const [s, b] = results as [Measures, Measures];
    const label = (x: { tables: number; tenants: number }) => `${x.tables} x ${x.tenants}`;
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    process.stdout.write(`UI benchmark: real renderer in Chromium, synthetic data over browser mode (median of ${rounds} rounds after a warm-up round, the worst round beside it; tables x tenants)\n`);
    process.stdout.write(`user: from the acting event's timestamp (click, key, typed text; first render: navigation start) to the painted result, timed in the page; driver: Playwright's wall clock for the step (its actionability checks, round trips and 0/20/50/100 ms backoff polling included), not judged\n`);
    process.stdout.write(`${'measure'.padEnd(40)} ${`user ${label(small)}`.padStart(16)} ${`user ${label(big)}`.padStart(18)} ${'ratio'.padStart(6)} ${'worst round'.padStart(12)} ${`driver ${label(big)}`.padStart(20)}  target (user, ${label(big)}, median)\n`);
    const breakdowns: string[] = [];
    for (const k of Object.keys(s)) {
      const sv = s[k]!;
      const bv = b[k]!;
      if (typeof sv === 'string' || typeof bv === 'string') {
        breakdowns.push(`${k}, ${label(small)}: ${String(sv)}`, `${k}, ${label(big)}: ${String(bv)}`);
        continue;
      }
      if (typeof sv === 'number' || typeof bv === 'number') {
        process.stdout.write(`${k.padEnd(40)} ${String(sv).padStart(16)} ${String(bv).padStart(18)} ${(Number(bv) / Number(sv)).toFixed(2).padStart(5)}x\n`);
        continue;
      }
      const target = targetOf(k)!;
      process.stdout.write(`${k.padEnd(40)} ${ms(sv.user).padStart(16)} ${ms(bv.user).padStart(18)} ${(bv.user / sv.user).toFixed(2).padStart(5)}x ${ms(bv.worst).padStart(12)} ${ms(bv.driver).padStart(20)}  < ${target} ms: ${verdict(bv.user < target)}\n`);
    }
    process.stdout.write(`breakdowns (of the last round):\n${breakdowns.join('\n')}\n`);
  } finally {
    await browser.close();
  }
}
