import { Status, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import type { Logger } from 'pino';
import { REQUEST_ID_KEY, requestIdOf } from '../transport/request-id';
import { statusSeenByClient } from './call-status';

/** What the logging middleware adds to every call's context. */
export interface RequestContext {
  requestId: string;
  /** A child logger carrying the request id. */
  log: Logger;
  /** Filled by the auth middleware once a key is identified, so the call's log line names it. */
  caller?: { keyName?: string };
}

/**
 * Outermost middleware: one pino line per call with request id, method, final status and
 * duration. The id comes from the caller's `x-request-id` when safe, else is generated, and is
 * echoed in the response header so a client can quote it.
 */
export function loggingMiddleware(logger: Logger): ServerMiddleware<RequestContext> {
  return async function* logCall<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, RequestContext>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const requestId = requestIdFrom(context);
    context.header.set(REQUEST_ID_KEY, requestId);
    const log = logger.child({ requestId });
    const started = performance.now();
    let failure: unknown;
    const caller: { keyName?: string } = {};
    try {
      return yield* call.next(call.request, { ...context, requestId, log, caller });
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      const code = statusSeenByClient(failure, context);
      const line = { method: call.method.path, code: Status[code], durationMs: roundMs(performance.now() - started), ...caller };
      if (code === Status.INTERNAL || code === Status.UNKNOWN) log.error(line, 'grpc call failed');
      else log.info(line, 'grpc call');
    }
  };
}

function requestIdFrom(context: CallContext): string {
  const incoming = context.metadata.get(REQUEST_ID_KEY);
  return requestIdOf(typeof incoming === 'string' ? incoming : undefined);
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
