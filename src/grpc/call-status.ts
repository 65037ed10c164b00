import { ServerError, Status, type CallContext } from 'nice-grpc';
import { abortedStatus } from './call-deadline';

/** nice-grpc and AbortSignal-aware code signal cancellation with an error named AbortError. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * The status a client got for a call that ended with `error` (undefined: it succeeded). Once the
 * call was aborted, grpc-js had already answered CANCELLED or DEADLINE_EXCEEDED, whatever the
 * handler did afterwards. The call log and the metrics both report this, so they agree.
 */
export function statusSeenByClient(error: unknown, context: Pick<CallContext, 'signal' | 'metadata'>): Status {
  if (context.signal.aborted) return abortedStatus(context);
  if (error === undefined) return Status.OK;
  return error instanceof ServerError ? error.code : isAbortError(error) ? Status.CANCELLED : Status.UNKNOWN;
}
