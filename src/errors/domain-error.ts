import type { ErrorCode } from './error-code';

/** One field that failed validation; sent as `errors[]` over REST and `google.rpc.BadRequest` over gRPC. */
export interface FieldViolation {
  field: string;
  message: string;
}

/**
 * What one error carries at most. A gRPC status travels in HTTP/2 trailers, which are sent in one
 * piece ahead of every other stream of the connection and which clients cap (grpc-js drops a status
 * of some 256 KiB and the call hangs until its deadline; C++ clients refuse beyond 8-16 KiB). A
 * request with 100,000 unknown keys, or a 1 MB key, must still get its answer: these bounds keep a
 * status under ~8 KiB. The dropped violations are counted in the message.
 */
export const ERROR_BOUNDS = {
  maxViolations: 10,
  maxFieldChars: 200,
  maxViolationMessageChars: 200,
  maxMessageChars: 1024,
} as const;

/** `text` cut to `max` UTF-16 units with an ellipsis, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 2)) ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}

/** The only text an unexpected failure sends on any door; its cause goes to the log. */
export const INTERNAL_MESSAGE = 'internal error';

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
    super(clip(message, ERROR_BOUNDS.maxMessageChars), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.violations = (options.violations ?? []).slice(0, ERROR_BOUNDS.maxViolations).map((v) => ({
      field: clip(v.field, ERROR_BOUNDS.maxFieldChars),
      message: clip(v.message, ERROR_BOUNDS.maxViolationMessageChars),
    }));
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.reason = options.reason;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
