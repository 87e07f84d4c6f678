/**
 * What a handler is: for every request channel of the contract, a function from the parsed
 * request to the response, given the host context. The type demands one per channel.
 */
import type { z } from 'zod';
import type { EventChannel, RequestChannel } from '../../shared/contract/channel.js';
import type { Contract, DomainName } from '../../shared/contract/index.js';
import type { HostContext } from './context.js';

type HandlerOf<C> = C extends RequestChannel<infer Req, infer Res>
  ? (req: z.output<Req>, ctx: HostContext) => Promise<z.input<Res>>
  : never;

type RequestActions<D> = { [A in keyof D]: D[A] extends RequestChannel ? A : never }[keyof D];

/** Handlers for one domain's request channels. */
export type DomainHandlers<D> = { [A in RequestActions<D>]: HandlerOf<D[A]> };

/** Handlers for the whole contract. */
export type Handlers = { [D in DomainName]: DomainHandlers<Contract[D]> };

type EventActions<D> = { [A in keyof D]: D[A] extends EventChannel ? A : never }[keyof D];

/** An event channel's wire name, e.g. 'checks/onProgress'. */
export type EventName = { [D in DomainName]: `${D}/${EventActions<Contract[D]> & string}` }[DomainName];

/** The payload type of an event channel by wire name. */
export type EventPayload<N extends EventName> = N extends `${infer D}/${infer A}`
  ? D extends DomainName
    ? A extends keyof Contract[D]
      ? Contract[D][A] extends EventChannel<infer P> ? z.input<P> : never
      : never
    : never
  : never;
