/**
 * The building blocks of the IPC contract: a request channel (request schema -> response schema)
 * and an event channel (payload schema, delivered to subscribers). Channel names read
 * `domain/action`; the domain is the key in CONTRACT, the action the key inside it.
 */
import { z } from 'zod';

/** A request/response channel: the host parses `request` before any handler runs. */
export interface RequestChannel<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  kind: 'request';
  request: Req;
  response: Res;
}

/** An event channel: the host emits payloads, subscribers get them with an unsubscribe. */
export interface EventChannel<P extends z.ZodType = z.ZodType> {
  kind: 'event';
  payload: P;
}

/** Either kind of channel. */
export type AnyChannel = RequestChannel | EventChannel;

/** A domain: its actions and events, e.g. `{ list: request(...), onProgress: event(...) }`. */
export type Domain = Record<string, AnyChannel>;

/** Declare a request channel. */
export function request<Req extends z.ZodType, Res extends z.ZodType>(requestSchema: Req, responseSchema: Res): RequestChannel<Req, Res> {
  return { kind: 'request', request: requestSchema, response: responseSchema };
}

/** Declare an event channel (by convention its action starts with `on`). */
export function event<P extends z.ZodType>(payload: P): EventChannel<P> {
  return { kind: 'event', payload };
}

/** An empty request or response. */
export const Empty = z.object({}).strict();

/** The client side of one channel: a function returning the response, or a subscribe function. */
export type ClientOf<C> = C extends RequestChannel<infer Req, infer Res>
  ? (req: z.input<Req>) => Promise<z.output<Res>>
  : C extends EventChannel<infer P>
    ? (listener: (payload: z.output<P>) => void) => () => void
    : never;

/** The client side of one domain. */
export type DomainClient<D extends Domain> = { [A in keyof D]: ClientOf<D[A]> };

/** How every request's outcome crosses the boundary (IPC mangles thrown errors, HTTP has no throw). */
export const EnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    /** `field`: the option or request field to fix (`--samples`), or null when the error names none. */
    error: z.object({ message: z.string(), code: z.string(), field: z.string().nullable().optional() }),
  }),
]);
/** `{ok: true, value}` or `{ok: false, error: {message, code, field?}}`. */
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** An error that came back from the host, with its code ('usage', 'connection', 'invalid-request', ...). */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Unwrap an envelope: the value, or an ApiError with the host's one-line message. */
export function unwrapEnvelope(raw: unknown): unknown {
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError('the console host sent a malformed reply', 'protocol');
  if (parsed.data.ok) return parsed.data.value;
  throw new ApiError(parsed.data.error.message, parsed.data.error.code);
}
