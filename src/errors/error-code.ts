/**
 * The closed set of error codes, named after gRPC's canonical codes so that both doors can map
 * them with one exhaustive table each (src/grpc/status-table.ts, src/http/http-status-table.ts).
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'RESOURCE_EXHAUSTED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'INTERNAL',
  /** Bytes a client sent are damaged or cut short (a snapshot's checksum or trailer does not verify). */
  'DATA_LOSS',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
