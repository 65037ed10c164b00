import { ServerError, Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, RetryInfo, RichServerError, type ErrorDetails } from 'nice-grpc-error-details';
import { INTERNAL_MESSAGE, isDomainError, type ErrorCode } from '../errors';

/** ErrorCode → gRPC status, exactly the table of CONVENTIONS.md. A new code does not compile until mapped here. */
export const STATUS_OF = {
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  NOT_FOUND: Status.NOT_FOUND,
  ALREADY_EXISTS: Status.ALREADY_EXISTS,
  FAILED_PRECONDITION: Status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: Status.RESOURCE_EXHAUSTED,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  PERMISSION_DENIED: Status.PERMISSION_DENIED,
  UNAVAILABLE: Status.UNAVAILABLE,
  DEADLINE_EXCEEDED: Status.DEADLINE_EXCEEDED,
  CANCELLED: Status.CANCELLED,
  INTERNAL: Status.INTERNAL,
  DATA_LOSS: Status.DATA_LOSS,
} as const satisfies Record<ErrorCode, Status>;

export { INTERNAL_MESSAGE };

/** Used as ErrorInfo.domain, so clients can tell our reasons from a proxy's. */
export const ERROR_DOMAIN = 'taishang.ai';

/**
 * Turns anything a handler threw into what the client receives. DomainErrors keep their message
 * and travel with google.rpc details (BadRequest for field violations, RetryInfo, ErrorInfo for the
 * reason); ServerErrors raised by nice-grpc services pass through; everything else is INTERNAL
 * with a generic message, so no internal detail leaks.
 */
export function toServerError(error: unknown): ServerError {
  if (isDomainError(error)) {
    const code = STATUS_OF[error.code];
    const message = error.code === 'INTERNAL' ? INTERNAL_MESSAGE : error.message;
    const details = detailsOf(error.violations, error.retryAfterSeconds, error.reason);
    return details.length > 0 ? new RichServerError(code, message, details) : new ServerError(code, message);
  }
  if (error instanceof ServerError) return error;
  return new ServerError(Status.INTERNAL, INTERNAL_MESSAGE);
}

/** True when the error is one the client was not meant to cause, so its cause must be logged. */
export function isUnexpected(error: unknown): boolean {
  if (isDomainError(error)) return error.code === 'INTERNAL';
  return !(error instanceof ServerError);
}

function detailsOf(
  violations: readonly { field: string; message: string }[],
  retryAfterSeconds: number | undefined,
  reason: string | undefined,
): ErrorDetails[] {
  const details: ErrorDetails[] = [];
  if (violations.length > 0) {
    details.push(
      BadRequest.fromPartial({
        fieldViolations: violations.map((v) => ({ field: v.field, description: v.message })),
      }),
    );
  }
  if (retryAfterSeconds !== undefined) {
    const seconds = Math.floor(retryAfterSeconds);
    const nanos = Math.round((retryAfterSeconds - seconds) * 1e9);
    details.push(RetryInfo.fromPartial({ retryDelay: { seconds, nanos } }));
  }
  if (reason !== undefined) details.push(ErrorInfo.fromPartial({ reason, domain: ERROR_DOMAIN }));
  return details;
}
