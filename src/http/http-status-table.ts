import type { DomainError, ErrorCode } from '../errors';

/**
 * ErrorCode → HTTP status, exactly as in CONVENTIONS.md. `satisfies` makes a new ErrorCode fail to
 * compile until it is mapped here (and in src/grpc's table).
 */
export const httpStatusByCode = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 400,
  RESOURCE_EXHAUSTED: 429,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  // nginx's "client closed request": the caller is gone, so the status is mostly for the logs.
  CANCELLED: 499,
  INTERNAL: 500,
  // A damaged upload is the client's to resend, so a 4xx (gRPC keeps DATA_LOSS, 15): docs/API.md, "Snapshots".
  DATA_LOSS: 400,
} as const satisfies Record<ErrorCode, number>;

/** A request over a documented size limit is not worth retrying as it is: 413, not 429. */
const PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE';

export function httpStatusOf(error: Pick<DomainError, 'code' | 'reason'>): number {
  if (error.code === 'RESOURCE_EXHAUSTED' && error.reason === PAYLOAD_TOO_LARGE) return 413;
  return httpStatusByCode[error.code];
}
