import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestTelemetry } from '../transport/request-telemetry';

/** The route label of requests no route matched, so random paths cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

/** What the REST door answers a caller who left before the response was written (CANCELLED). */
const CLIENT_CLOSED = 499;

/**
 * onRequest hook (registered first): counts the request in flight and, when its response closes,
 * reports method, route pattern and status. The response's 'close' fires also when the client
 * drops the connection, where 'finish' (and so Fastify's onResponse) never comes, so the in-flight
 * gauge cannot leak.
 */
export function metricsHook(telemetry: RequestTelemetry) {
  return function countRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    telemetry.requestStarted('http');
    reply.raw.once('close', () => {
      // Only routes the app declared have a pattern; the 404 handler's request has none.
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      const code = reply.raw.writableFinished ? reply.statusCode : CLIENT_CLOSED;
      telemetry.httpRequestEnded(request.method, route, code, reply.elapsedTime / 1000);
    });
    done();
  };
}
