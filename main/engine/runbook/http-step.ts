/**
 * An `http` step: one request to the deployed application, redirects NOT followed (so a route
 * guard's redirect is itself the evidence). Fails naming the status got against the one expected,
 * the text missing or forbidden, or the redirect. Header values come from the environment and are
 * never journaled; the URL is journaled with its query string and without user:password.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Evidence, RunbookStep } from '../../../shared/runbook.js';
import { substituteEnv } from '../../../shared/runbook-env.js';
import { CancelledError } from '../errors.js';
import { StepFailure } from './step-failure.js';

export type HttpStep = Extract<RunbookStep, { kind: 'http' }>;

const TIMEOUT_MS = 30_000;
/** How much of the body the journal keeps. */
const BODY_BYTES = 2048;
/** How much of the body is kept to look for texts in (the hash covers all of it). */
const MATCH_BYTES = 16 * 1024 * 1024;
const REDIRECTS = [301, 302, 303, 307, 308];

/** A URL as the journal shows it: query string kept, user:password stripped. */
export function displayUrl(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  return u.href;
}

/** The request's URL after `${VAR}` substitution, or the first variable that is not set. */
export function resolveUrl(text: string, env: Readonly<Record<string, string | undefined>>): { ok: true; url: URL } | { ok: false; problem: string } {
  const r = substituteEnv(text, env);
  if (!r.ok) return { ok: false, problem: `\${${r.missing}} is not set` };
  let url: URL;
  try {
    url = new URL(r.value);
  } catch {
    return { ok: false, problem: `${r.value.replace(/\/\/[^@/]*@/, '//')} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: `${url.protocol} is not http: or https:` };
  return { ok: true, url };
}

/** What one request answered. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  bodyBytes: number;
  sha256: string;
  durationMs: number;
}

/** Send one request (no redirect followed); rejects on a network error or after the timeout. */
export function sendRequest(url: URL, o: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal }): Promise<HttpAnswer> {
  const t0 = performance.now();
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: o.method, headers: { 'user-agent': 'tenancy-console', ...o.headers }, signal: o.signal, timeout: o.timeoutMs }, (res) => {
      const hash = crypto.createHash('sha256');
      const kept: Buffer[] = [];
      let keptBytes = 0;
      let bytes = 0;
      res.on('data', (b: Buffer) => {
        hash.update(b);
        bytes += b.length;
        if (keptBytes < MATCH_BYTES) {
          kept.push(b);
          keptBytes += b.length;
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(kept).toString('utf8'), bodyBytes: bytes, sha256: hash.digest('hex'), durationMs: Math.round(performance.now() - t0) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The headers of a step, from the environment, or the first variable that is not set. */
function headersOf(step: HttpStep, env: Readonly<Record<string, string | undefined>>): { ok: true; headers: Record<string, string> } | { ok: false; missing: string; header: string } {
  const headers: Record<string, string> = {};
  for (const [name, variable] of Object.entries(step.request.headersFromEnv)) {
    const v = env[variable];
    if (v === undefined || v === '') return { ok: false, missing: variable, header: name };
    headers[name] = v;
  }
  return { ok: true, headers };
}

/** Whether `location` (resolved against the request URL) is the redirect `want` names. */
export function redirectMatches(requestUrl: URL, location: string, want: string): boolean {
  let got: URL;
  let target: URL;
  try {
    got = new URL(location, requestUrl);
    target = new URL(want, requestUrl);
  } catch {
    return false;
  }
  return got.origin === target.origin && got.pathname === target.pathname && (target.search === '' || got.search === target.search);
}

/** Run an http step; the evidence, or a StepFailure saying what did not hold. */
export async function runHttpStep(step: HttpStep, o: { env: Readonly<Record<string, string | undefined>>; signal?: AbortSignal }): Promise<Evidence> {
  const { method } = step.request;
  const resolved = resolveUrl(step.request.url, o.env);
  if (!resolved.ok) throw new StepFailure(`${resolved.problem} (step ${step.id}, request.url): export it before the run`, { ran: [`${method} ${step.request.url}`], result: `not sent: ${resolved.problem}`, counts: {}, refs: {} });
  const url = resolved.url;
  const shown = displayUrl(url);
  const headers = headersOf(step, o.env);
  if (!headers.ok) throw new StepFailure(`\${${headers.missing}} is not set (step ${step.id}, header ${headers.header}): export it before the run`, { ran: [`${method} ${shown}`], result: `not sent: \${${headers.missing}} is not set`, counts: {}, refs: { method, url: shown } });
  const timeoutMs = step.timeoutMs ?? TIMEOUT_MS;
  let a: HttpAnswer;
  try {
    a = await sendRequest(url, { method, headers: headers.headers, body: step.request.body, timeoutMs, signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted) throw new CancelledError();
    const why = (err as Error).message;
    throw new StepFailure(`${method} ${shown} got no answer: ${why}`, { ran: [`${method} ${shown}`], result: `no answer: ${why}`, counts: {}, refs: { method, url: shown } });
  }
  const location = typeof a.headers.location === 'string' ? a.headers.location : undefined;
  const e = step.expect;
  const statuses = e.status ?? (e.redirectTo !== undefined ? REDIRECTS : [200]);
  const problems: string[] = [];
  const got = `${a.status}${location && REDIRECTS.includes(a.status) ? ` (a redirect to ${location})` : ''}`;
  if (!statuses.includes(a.status)) {
    problems.push(`answered ${got}, expected ${e.redirectTo !== undefined && e.status === undefined ? `a redirect to ${e.redirectTo}` : statuses.join(' or ')}`);
  } else if (e.redirectTo !== undefined && !(location !== undefined && redirectMatches(url, location, e.redirectTo))) {
    problems.push(`answered ${a.status} ${location === undefined ? 'without a Location' : `redirecting to ${location}`}, expected a redirect to ${e.redirectTo}`);
  }
  for (const t of e.bodyContains ?? []) if (!a.body.includes(t)) problems.push(`the body does not contain "${t}"`);
  for (const t of e.bodyExcludes ?? []) if (a.body.includes(t)) problems.push(`the body contains "${t}", which it must not`);
  const ev: Evidence = {
    ran: [`${method} ${shown}`],
    result: '',
    counts: { status: a.status, durationMs: a.durationMs, bodyBytes: a.bodyBytes },
    refs: { method, url: shown, status: String(a.status), ...(location !== undefined ? { location } : {}), body: Buffer.from(a.body).subarray(0, BODY_BYTES).toString('utf8') },
    digest: a.sha256,
  };
  if (problems.length) {
    const message = `${method} ${shown} ${problems.join('; ')}`;
    throw new StepFailure(message, { ...ev, result: problems.join('; ') });
  }
  const checked = [e.redirectTo !== undefined ? `redirects to ${location}` : null, e.bodyContains ? `has ${e.bodyContains.map((t) => `"${t}"`).join(', ')}` : null, e.bodyExcludes ? `has no ${e.bodyExcludes.map((t) => `"${t}"`).join(', ')}` : null].filter(Boolean);
  return { ...ev, result: `answered ${a.status} in ${a.durationMs} ms${checked.length ? `, ${checked.join(', ')}` : ''}` };
}
