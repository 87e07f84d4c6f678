/**
 * The team's application and programs, faked for the template tests: a Node http server (port 0)
 * answering the routes runbooks 000 and 002 check (sign-in, organization picker, route guards,
 * cross-organization reads and writes, the tenancy config endpoint), each of which a test can break;
 * and `pnpm` as a script first on PATH whose every invocation passes unless the test plants a failure.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What the fake application gets wrong (nothing by default). */
export interface AppFlaws {
  /** Status of GET /sign-in (default 200). */
  signIn?: number;
  /** Status of GET /org/select for a signed-in user (default 200). */
  orgSelect?: number;
  /** A tenant route answers a request without a session instead of redirecting to /sign-in. */
  openRoutes?: boolean;
  /** Org A reads org B's student (an unscoped read path). */
  leakReads?: boolean;
  /** Org A's PATCH of org B's student succeeds (a mutation without the ownership check). */
  leakWrites?: boolean;
  /** The config endpoint says multi-tenancy is off. */
  multiTenancyOff?: boolean;
  /** A request without a resolvable tenant is served from the default tenant instead of refused. */
  defaultTenant?: boolean;
}

/** The fake application: its URL, the environment a runbook reads, its flaws (changeable), close. */
export interface FakeApp {
  url: string;
  env: Record<string, string>;
  /** What it gets wrong now: assign to change it between runs. */
  flaws: AppFlaws;
  /** Requests seen, "METHOD /path". */
  seen: string[];
  close: () => Promise<void>;
}

const SESSIONS: Record<string, string> = { 'tok-org-a': 'org_a', 'tok-org-b': 'org_b' };
const STUDENTS: Record<string, string> = { 'stu-a-1': 'org_a', 'stu-b-canary': 'org_b' };

function sessionOrg(req: http.IncomingMessage): string | null {
  const m = /better-auth\.session_token=([^;\s]+)/.exec(req.headers.cookie ?? '');
  return m ? (SESSIONS[m[1]!] ?? null) : null;
}

/** Start the fake application on 127.0.0.1, port 0; resolves once it listens. */
export async function startFakeApp(flaws: AppFlaws = {}): Promise<FakeApp> {
  const seen: string[] = [];
  const app = { flaws } as { flaws: AppFlaws };
  const server = http.createServer((req, res) => {
    const f = app.flaws;
    const url = new URL(req.url ?? '/', 'http://app');
    seen.push(`${req.method} ${url.pathname}`);
    const org = sessionOrg(req);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/html', ...headers });
      res.end(body);
    };
    if (url.pathname === '/sign-in') return send(f.signIn ?? 200, (f.signIn ?? 200) === 200 ? '<h1>Sign in</h1>' : '<h1>Not found</h1>');
    if (url.pathname === '/org/select') {
      if (!org) return send(302, '', { location: '/sign-in' });
      return send(f.orgSelect ?? 200, (f.orgSelect ?? 200) === 200 ? '<h1>Select an organization</h1>' : '<h1>Internal error</h1>');
    }
    if (url.pathname === '/api/tenancy/config') return send(200, JSON.stringify({ multiTenancyEnabled: !f.multiTenancyOff, strictTenantResolution: !f.defaultTenant }));
    if (url.pathname === '/api/invoices' && !req.headers['x-tenant-id'] && !org) {
      return f.defaultTenant ? send(200, JSON.stringify({ tenant: 'tenant_default', invoices: [] })) : send(400, JSON.stringify({ error: 'tenant could not be resolved' }));
    }
    if (!org && !f.openRoutes) return send(302, '', { location: '/sign-in?next=' + encodeURIComponent(url.pathname) });
    const student = /^\/api\/students\/([^/]+)$/.exec(url.pathname)?.[1];
    if (student) {
      const owner = STUDENTS[student];
      const mine = owner !== undefined && owner === org;
      if (req.method === 'GET') return mine || f.leakReads ? send(200, JSON.stringify({ id: student, organizationId: owner })) : send(404, JSON.stringify({ error: 'not found' }));
      if (req.method === 'PATCH') return mine || f.leakWrites ? send(200, JSON.stringify({ id: student, updated: true })) : send(404, JSON.stringify({ error: 'not found' }));
    }
    return send(200, '<h1>Students</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return Object.assign(app, {
    url, seen,
    env: { APP_URL: url, ORG_A_COOKIE: 'better-auth.session_token=tok-org-a', ORG_B_STUDENT_ID: 'stu-b-canary' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Fake `pnpm` (and a team checkout for cwd): its folder goes first on PATH. */
export interface FakePrograms {
  /** The folder holding `pnpm`. */
  bin: string;
  /** The checkout the commands run in (APP_DIR, PREVIOUS_APP_DIR). */
  appDir: string;
  env: Record<string, string>;
  /** Make invocations whose arguments are exactly `args` fail (exit 1), from the `from`-th one on (1-based; default every one). */
  fail: (args: string, from?: number) => void;
  /** Every invocation: "cwd: args". */
  calls: () => string[];
}

/** Write the fake programs into a temp folder. */
export function fakePrograms(): FakePrograms {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-fake-programs-'));
  const bin = path.join(root, 'bin');
  const appDir = path.join(root, 'app');
  const state = path.join(root, 'state');
  for (const d of [bin, appDir, path.join(appDir, 'previous'), state]) fs.mkdirSync(d, { recursive: true });
  const script = `#!/usr/bin/env node
const fs = require('node:fs'); const path = require('node:path'); const crypto = require('node:crypto');
const args = process.argv.slice(2).join(' ');
const key = crypto.createHash('sha1').update(args).digest('hex');
fs.appendFileSync(${JSON.stringify(path.join(state, 'calls'))}, process.cwd() + ': ' + args + '\\n');
const countFile = path.join(${JSON.stringify(state)}, key + '.count');
const n = (fs.existsSync(countFile) ? Number(fs.readFileSync(countFile, 'utf8')) : 0) + 1;
fs.writeFileSync(countFile, String(n));
const failFile = path.join(${JSON.stringify(state)}, key + '.fail');
if (fs.existsSync(failFile) && n >= Number(fs.readFileSync(failFile, 'utf8'))) { console.log('pnpm ' + args + ': 1 failed, 11 passed'); process.exit(1); }
console.log('pnpm ' + args + ': 12 passed');
`;
  fs.writeFileSync(path.join(bin, 'pnpm'), script, { mode: 0o755 });
  return {
    bin, appDir,
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, APP_DIR: appDir, PREVIOUS_APP_DIR: path.join(appDir, 'previous') },
    fail: (args, from = 1) => {
      const key = crypto.createHash('sha1').update(args).digest('hex');
      fs.writeFileSync(path.join(state, `${key}.fail`), String(from));
    },
    calls: () => (fs.existsSync(path.join(state, 'calls')) ? fs.readFileSync(path.join(state, 'calls'), 'utf8').trim().split('\n') : []),
  };
}
