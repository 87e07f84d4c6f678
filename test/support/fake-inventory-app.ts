/**
 * The applications of runbooks 003 (credentials) and 004 (inventory), faked for the template tests:
 * a Node http server (port 0) with the health check a deploy is judged by, the API a signed-in
 * organization reads (items, credentials, each with another organization's canary row), the
 * maintenance webhook; and `npm`, `npx` and `pytest` as scripts first on PATH for the team's test suites. Every
 * route behaves until a test plants a flaw.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What the fake application gets wrong (nothing by default). */
export interface InventoryAppFlaws {
  /** Status of GET /api/health (default 200). */
  health?: number;
  /** The deployed build is the old one: its health says tenantMiddleware false. */
  oldRelease?: boolean;
  /** The application runs without DEFAULT_ORG_ID (its health reports no defaultOrgId). */
  noDefaultOrg?: boolean;
  /** The API answers without a session (no 401). */
  openApi?: boolean;
  /** Organization A reads organization B's item and credential (an unscoped query). */
  leakReads?: boolean;
  /** Status the maintenance webhook answers (default 200). */
  webhook?: number;
  /** The webhook answers 500 from its n-th notice on (1-based): a later update goes unsent. */
  webhookFailFrom?: number;
}

/** The fake application: its URL, the environment a runbook reads, its flaws (changeable), what it saw, close. */
export interface InventoryApp {
  url: string;
  env: Record<string, string>;
  flaws: InventoryAppFlaws;
  /** Requests seen, "METHOD /path". */
  seen: string[];
  /** JSON bodies the webhook received. */
  notices: Record<string, unknown>[];
  close: () => Promise<void>;
}

const TOKENS: Record<string, string> = { 'Bearer tok-org-a': 'org_a', 'Bearer tok-org-b': 'org_b' };
const ITEMS: Record<string, string> = { 'item-a-1': 'org_a', 'item-b-canary': 'org_b' };
const CREDENTIALS: Record<string, string> = { 'cred-a-1': 'org_a', 'cred-b-canary': 'org_b' };

/** Start the fake application on 127.0.0.1, port 0; resolves once it listens. */
export async function startInventoryApp(flaws: InventoryAppFlaws = {}): Promise<InventoryApp> {
  const seen: string[] = [];
  const notices: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    seen.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/hooks/maintenance' && req.method === 'POST') {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        notices.push(JSON.parse(text) as Record<string, unknown>);
        const status = flaws.webhookFailFrom !== undefined && notices.length >= flaws.webhookFailFrom ? 500 : (flaws.webhook ?? 200);
        send(status, { ok: status < 300 });
      });
      return;
    }
    if (url.pathname === '/api/health') {
      const status = flaws.health ?? 200;
      return send(status, status === 200 ? { status: 'ok', tenantMiddleware: !flaws.oldRelease, defaultOrgId: flaws.noDefaultOrg ? null : 'org_00001' } : { status: 'starting' });
    }
    const org = TOKENS[req.headers.authorization ?? ''] ?? null;
    if (!org && !flaws.openApi) return send(401, { error: 'sign in first' });
    const owned = (rows: Record<string, string>) => Object.entries(rows).filter(([, o]) => flaws.leakReads || o === org).map(([id, orgId]) => ({ id, orgId }));
    const one = (rows: Record<string, string>, id: string) => {
      const owner = rows[id];
      return owner !== undefined && (owner === org || flaws.leakReads) ? send(200, { id, orgId: owner }) : send(404, { error: 'not found' });
    };
    if (url.pathname === '/api/items') return send(200, { items: owned(ITEMS) });
    const item = /^\/api\/items\/([^/]+)$/.exec(url.pathname)?.[1];
    if (item) return one(ITEMS, item);
    const credential = /^\/api\/credentials\/([^/]+)$/.exec(url.pathname)?.[1];
    if (credential) return one(CREDENTIALS, credential);
    return send(404, { error: 'no such route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url, flaws, seen, notices,
    env: {
      APP_URL: url, MAINTENANCE_WEBHOOK_URL: `${url}/hooks/maintenance`, ORG_A_TOKEN: 'Bearer tok-org-a',
      ORG_B_ITEM_ID: 'item-b-canary', ORG_B_CREDENTIAL_ID: 'cred-b-canary',
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Fake `npm`, `npx` and `pytest` in a temp folder put first on PATH, and the team's checkout they run in (APP_DIR). */
export interface FakeNpm {
  env: Record<string, string>;
  /** Make `<program> <args>` (e.g. "npm run test:isolation") fail (exit 1, "1 failed") from now on. */
  fail: (line: string) => void;
  /** Make `<program> <args>` print `stdout` (and pass) instead of the test summary. */
  answer: (line: string, stdout: string) => void;
  /** Every invocation: "cwd: program args". */
  calls: () => string[];
}

/** What the team's `npm run ops:jobs` prints when every scheduled job of runbook 004 is in place. */
export const OPS_JOBS = 'backup-monitor      scheduled  every 6h\nreconcile-balances  scheduled  daily 03:00\nalerts              configured pager\n';

/** Write the fake programs: each invocation prints "Tests: 12 passed, 12 total" unless made to fail. */
export function fakeNpm(): FakeNpm {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-fake-npm-'));
  const bin = path.join(root, 'bin');
  const appDir = path.join(root, 'app');
  const state = path.join(root, 'state');
  for (const d of [bin, appDir, state]) fs.mkdirSync(d, { recursive: true });
  const failing = path.join(state, 'failing.json');
  const calls = path.join(state, 'calls');
  const answers = path.join(state, 'answers.json');
  fs.writeFileSync(answers, JSON.stringify({ 'npm run ops:jobs': OPS_JOBS }));
  for (const program of ['npm', 'npx', 'pytest']) {
    fs.writeFileSync(path.join(bin, program), `#!/usr/bin/env node
const fs = require('node:fs');
const line = [${JSON.stringify(program)}, ...process.argv.slice(2)].join(' ');
fs.appendFileSync(${JSON.stringify(calls)}, process.cwd() + ': ' + line + '\\n');
const failing = fs.existsSync(${JSON.stringify(failing)}) ? JSON.parse(fs.readFileSync(${JSON.stringify(failing)}, 'utf8')) : [];
if (failing.includes(line)) { console.log(line + '\\nTests: 1 failed, 11 passed, 12 total'); process.exit(1); }
const answers = JSON.parse(fs.readFileSync(${JSON.stringify(answers)}, 'utf8'));
if (line in answers) { process.stdout.write(answers[line]); process.exit(0); }
console.log(line + '\\nTests: 12 passed, 12 total');
`, { mode: 0o755 });
  }
  return {
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, APP_DIR: appDir },
    fail: (line) => {
      const now = fs.existsSync(failing) ? (JSON.parse(fs.readFileSync(failing, 'utf8')) as string[]) : [];
      fs.writeFileSync(failing, JSON.stringify([...now, line]));
    },
    answer: (line, stdout) => {
      fs.writeFileSync(answers, JSON.stringify({ ...(JSON.parse(fs.readFileSync(answers, 'utf8')) as Record<string, string>), [line]: stdout }));
    },
    calls: () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : []),
  };
}
