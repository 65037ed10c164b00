import type { ErrorCode } from './error-code';

/** One field that failed validation; sent as `errors[]` over REST and `google.rpc.BadRequest` over gRPC. */
export interface FieldViolation {
  field: string;
  message: string;
}

/** The only error type the domain throws on purpose. Transports map `code`; `cause` is logged, never sent. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly violations: readonly FieldViolation[];
  /** Seconds a client should wait before retrying (RESOURCE_EXHAUSTED, UNAVAILABLE). */
  readonly retryAfterSeconds: number | undefined;
  /** Machine-readable refinement of the code, e.g. PAYLOAD_TOO_LARGE (HTTP answers 413, not 429). */
  readonly reason: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { violations?: FieldViolation[]; cause?: unknown; retryAfterSeconds?: number; reason?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.violations = options.violations ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.reason = options.reason;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
