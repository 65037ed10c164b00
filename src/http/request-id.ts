import type { IncomingMessage } from 'node:http';
import { REQUEST_ID_KEY, requestIdOf } from '../transport/request-id';

export const REQUEST_ID_HEADER = REQUEST_ID_KEY;

/** Fastify's genReqId: the caller's `x-request-id` when it is safe, otherwise a fresh UUID. */
export function requestIdFrom(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  return requestIdOf(Array.isArray(header) ? header[0] : header);
}
