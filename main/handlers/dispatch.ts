/**
 * The one way into the handlers, for IPC and HTTP alike: find the channel by name, parse the
 * payload with its zod schema (a bad payload never reaches a handler), run the handler, parse the
 * response (so nothing outside the schema, such as a password, can leave), wrap it in an envelope.
 */
import { redactText } from '../engine/audit/redact.js';
import type { Envelope } from '../../shared/contract/channel.js';
import { findRequestChannel } from '../../shared/contract/index.js';
import { CancelledError, UserError } from '../engine/errors.js';
import type { HostContext } from './context.js';
import type { Handlers } from './types.js';

type AnyHandler = (req: unknown, ctx: HostContext) => Promise<unknown>;

function lookup(handlers: Handlers, name: string): AnyHandler | undefined {
  const [domain, action, ...rest] = name.split('/');
  if (!domain || !action || rest.length > 0) return undefined;
  if (!Object.hasOwn(handlers, domain)) return undefined;
  const d = (handlers as unknown as Record<string, Record<string, AnyHandler>>)[domain]!;
  return Object.hasOwn(d, action) ? d[action] : undefined;
}

function describeIssue(name: string, issue: { path: PropertyKey[]; message: string } | undefined): string {
  const where = issue?.path.map(String).join('.') || 'payload';
  return `${name}: ${where}: ${issue?.message ?? 'invalid'}`;
}

/** Dispatch one request; never throws, always returns an envelope. */
export async function dispatch(handlers: Handlers, ctx: HostContext, name: string, payload: unknown): Promise<Envelope> {
  const channel = findRequestChannel(name);
  const handler = lookup(handlers, name);
  if (!channel || !handler) return { ok: false, error: { message: `unknown channel "${name}"`, code: 'unknown-channel' } };
  const parsed = channel.request.safeParse(payload ?? {});
  if (!parsed.success) return { ok: false, error: { message: describeIssue(name, parsed.error.issues[0]), code: 'invalid-request' } };
  try {
    const result = await handler(parsed.data, ctx);
    const out = channel.response.safeParse(result);
    if (!out.success) {
      process.stderr.write(`tenancy: ${name} produced a response outside its schema: ${describeIssue(name, out.error.issues[0])}\n`);
      return { ok: false, error: { message: `${name}: the host produced an invalid response (a bug; see the host's log)`, code: 'internal' } };
    }
    return { ok: true, value: out.data };
  } catch (err) {
    if (err instanceof UserError) return { ok: false, error: { message: redactText(err.message), code: err.code } };
    if (err instanceof CancelledError) return { ok: false, error: { message: err.message, code: 'cancelled' } };
    const e = err as { message?: string; code?: string };
    const line = (e.message ?? String(err)).split('\n')[0] ?? 'error';
    return { ok: false, error: { message: redactText(e.code ? `[${e.code}] ${line}` : line), code: 'internal' } };
  }
}
