import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import { Status, type CallContext } from 'nice-grpc';

/**
 * Metadata key carrying the caller's deadline (Unix ms) from grpc-js into nice-grpc middleware.
 * grpc-js strips `grpc-timeout` before nice-grpc sees the metadata and nice-grpc's CallContext has
 * no deadline, yet both abort the call's signal alike on a client cancel and on an expired
 * deadline; without the deadline the two could not be told apart in logs and status.
 */
export const DEADLINE_METADATA_KEY = 'taishang-call-deadline-ms';

/**
 * grpc-js server interceptor: stamps the call's deadline into its metadata. Any value the client
 * sent under the same key is replaced, so it cannot pose as a deadline.
 */
export const callDeadlineInterceptor: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          metadata.remove(DEADLINE_METADATA_KEY);
          const deadline = Number(call.getDeadline());
          if (Number.isFinite(deadline)) metadata.set(DEADLINE_METADATA_KEY, String(deadline));
          nextMetadata(metadata);
        },
      });
    },
  });

/** The caller's deadline in Unix ms, or undefined when it set none. */
export function deadlineOf(context: Pick<CallContext, 'metadata'>): number | undefined {
  const raw = context.metadata.get(DEADLINE_METADATA_KEY);
  const deadline = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(deadline) ? deadline : undefined;
}

/**
 * What an aborted call really ended with: grpc-js aborts the signal both when the deadline
 * passes (and then answers DEADLINE_EXCEEDED itself) and when the client cancels.
 */
export function abortedStatus(context: Pick<CallContext, 'metadata'>, now = Date.now()): Status {
  const deadline = deadlineOf(context);
  return deadline !== undefined && now >= deadline ? Status.DEADLINE_EXCEEDED : Status.CANCELLED;
}
