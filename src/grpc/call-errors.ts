import { Status, type CallContext, type ServerError } from 'nice-grpc';
import { errorDetailsServerMiddleware, RichServerError } from 'nice-grpc-error-details';
import type { Logger } from 'pino';
import { errors } from '../errors';
import { abortedStatus } from './call-deadline';
import { isUnexpected, toServerError } from './status-table';

/**
 * What a handler's error becomes on the wire (status-table.ts): the one place handler errors
 * become gRPC statuses. A call the caller left or whose deadline passed is reported as that, not
 * as whatever the abort made the handler throw. The cause of anything unexpected goes to `log`,
 * never to the client; an expected error carrying a cause is logged as a warning.
 */
export function serverErrorOf(error: unknown, context: Pick<CallContext, 'signal' | 'metadata'>, log: Logger, path: string): ServerError {
  if (context.signal.aborted) {
    return toServerError(abortedStatus(context) === Status.DEADLINE_EXCEEDED ? errors.deadlineExceeded() : errors.cancelled());
  }
  if (isUnexpected(error)) log.error({ err: error, method: path }, 'unexpected error in grpc handler');
  else if (error instanceof Error && error.cause !== undefined) log.warn({ err: error }, 'grpc call failed with a cause');
  return toServerError(error);
}

/**
 * Puts a RichServerError's google.rpc details into the trailer (`grpc-status-details-bin`) with
 * nice-grpc-error-details' own middleware, run only for failed calls: on success it would be one
 * more generator frame per call for nothing.
 */
export async function putErrorDetails(error: ServerError, context: CallContext): Promise<void> {
  if (!(error instanceof RichServerError)) return;
  const failing = {
    method: { path: '', requestStream: false, responseStream: false, options: {} },
    requestStream: false,
    responseStream: false,
    request: undefined,
    async *next(): AsyncGenerator<never, never, undefined> {
      throw error;
    },
  } as const;
  await errorDetailsServerMiddleware(failing as never, context)
    .next()
    .catch(() => undefined);
}
