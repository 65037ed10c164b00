import { Status, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { errors } from '../errors';
import { abortedStatus } from './call-deadline';
import type { RequestContext } from './logging-middleware';
import { isUnexpected, toServerError } from './status-table';

/**
 * The one place handler errors become gRPC statuses (see status-table.ts). It runs inside the
 * logging middleware, whose child logger records the cause of anything unexpected, and inside
 * nice-grpc-error-details' middleware, which puts RichServerError details on the wire.
 */
export const errorMappingMiddleware: ServerMiddleware<{}, RequestContext> = async function* mapErrors<Request, Response>(
  call: ServerMiddlewareCall<Request, Response, RequestContext>,
  context: CallContext & RequestContext,
): AsyncGenerator<Response, Response | void, undefined> {
  try {
    return yield* call.next(call.request, context);
  } catch (error) {
    if (context.signal.aborted) {
      // The caller left or its deadline passed: report that, not whatever the abort made the handler throw.
      throw toServerError(abortedStatus(context) === Status.DEADLINE_EXCEEDED ? errors.deadlineExceeded() : errors.cancelled());
    }
    if (isUnexpected(error)) context.log.error({ err: error, method: call.method.path }, 'unexpected error in grpc handler');
    else if (error instanceof Error && error.cause !== undefined) context.log.warn({ err: error }, 'grpc call failed with a cause');
    throw toServerError(error);
  }
};
