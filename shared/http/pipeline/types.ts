import type { z } from 'zod';
import type { Principal } from '../../auth/principal.js';
import type { RouteDef } from '../route.js';
import type { IdempotencyCommit } from './idempotency.js';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's handler gets: the validated body and query, the path ids, the caller. */
export interface Request<R extends RouteDef = RouteDef> {
  body: Out<R['body']>;
  query: Out<R['query']>;
  params: Record<string, string>;
  principal: Principal;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The client's `X-Request-Id` when valid, else API Gateway's request id: echoed, logged, carried to delivery. */
  requestId: string;
  /** With an Idempotency-Key: the items that complete its record, for a handler that writes in one transaction. */
  idempotency?: IdempotencyCommit;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Keep nothing of this request (not even its idempotency record): e.g. a shopper without consent. */
  noStore?: boolean;
  /** The shopper this response is about: its idempotency record is then erased with the shopper. */
  shopperId?: string;
  /** The handler wrote the idempotency completion in its own transaction (see IdempotencyCommit). */
  idempotencyWritten?: boolean;
}

export type RouteImpl = (req: Request) => Promise<Reply>;
