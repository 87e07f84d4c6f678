/**
 * A `notify` step: POST {text, run, step, runbook} as JSON to the webhook whose URL is in the
 * environment variable the step names (a URL with a secret in it never goes in the runbook, the
 * journal or the evidence: only its host is kept). Fails when the variable is unset or the
 * webhook answers anything but 2xx.
 */
import type { Evidence, RunbookStep } from '../../../shared/runbook.js';
import { CancelledError } from '../errors.js';
import { sendRequest } from './http-step.js';
import { StepFailure } from './step-failure.js';

export type NotifyStep = Extract<RunbookStep, { kind: 'notify' }>;

/** What a notify message's placeholders are filled with. */
export interface NotifyFacts {
  database: string;
  run: string;
  runbook: string;
  step: string;
  profile: string;
  environment: string;
}

/** The message with its {placeholders} filled in. */
export function notifyText(message: string, facts: NotifyFacts): string {
  return message.replace(/\{(database|run|runbook|step|profile|environment)\}/g, (_m, k: keyof NotifyFacts) => facts[k]);
}

/** Send a notify step's message; the evidence (status and host), or a StepFailure. */
export async function runNotifyStep(step: NotifyStep, o: { env: Readonly<Record<string, string | undefined>>; facts: NotifyFacts; signal?: AbortSignal }): Promise<Evidence> {
  const raw = o.env[step.webhookEnv];
  const text = notifyText(step.message, o.facts);
  if (raw === undefined || raw === '') {
    throw new StepFailure(`\${${step.webhookEnv}} is not set (step ${step.id}, webhookEnv): export the webhook URL before the run`, { ran: [], result: `not sent: \${${step.webhookEnv}} is not set`, counts: {}, refs: { text } });
  }
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new StepFailure(`\${${step.webhookEnv}} is not an http(s) URL`, { ran: [], result: 'not sent: not a URL', counts: {}, refs: { text } });
  }
  const ran = [`POST ${url.protocol}//${url.host}/... (the URL of \${${step.webhookEnv}})`];
  const body = JSON.stringify({ text, run: o.facts.run, step: step.id, runbook: o.facts.runbook });
  let a;
  try {
    a = await sendRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: step.timeoutMs ?? 15_000, signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted) throw new CancelledError();
    throw new StepFailure(`the webhook at ${url.host} got no answer: ${(err as Error).message}`, { ran, result: 'no answer', counts: {}, refs: { host: url.host, text } });
  }
  const ev: Evidence = { ran, result: '', counts: { status: a.status, durationMs: a.durationMs }, refs: { host: url.host, status: String(a.status), text } };
  if (a.status < 200 || a.status > 299) throw new StepFailure(`the webhook at ${url.host} answered ${a.status}, expected 2xx: nobody was told`, { ...ev, result: `answered ${a.status}` });
  return { ...ev, result: `sent to ${url.host}: answered ${a.status}` };
}
