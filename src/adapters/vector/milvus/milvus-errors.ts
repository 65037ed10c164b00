import { DomainError, errors, isDomainError } from '../../../errors';

/** What the failing call was about, so NOT_FOUND can name the collection. */
export interface MilvusErrorContext {
  collection?: string;
  /** Set by CreateIndex: there the engine's parameter errors are the caller's index params. */
  indexParams?: boolean;
  /** Set by the alias calls, so the alias codes can name it. */
  alias?: string;
}

/** A Milvus `common.Status` as the SDK returns it (either field may carry the failure). */
export interface EngineStatus {
  error_code?: string | number;
  code?: number;
  reason?: string;
  detail?: string;
}

/**
 * The one place Milvus failures become DomainErrors. They arrive in four shapes: a returned or
 * thrown `Status` (numeric `code` from Milvus's merr table, legacy `error_code` name; milvus-lite
 * says "Success" with a non-zero code, Milvus 2.3 says "UnexpectedError" with code 100), a grpc-js
 * ServiceError (transport), an SDK `Error` ("ErrorCode: X. Reason: ..."), or an SDK crash.
 *
 * | failure                                                          | DomainError                |
 * |------------------------------------------------------------------|----------------------------|
 * | DomainError (raised by this adapter)                             | unchanged                  |
 * | AbortError                                                       | CANCELLED                  |
 * | gRPC UNAVAILABLE, INTERNAL transport, UNKNOWN; ECONNREFUSED      | UNAVAILABLE (retryable)    |
 * | gRPC DEADLINE_EXCEEDED                                           | DEADLINE_EXCEEDED          |
 * | gRPC CANCELLED                                                   | CANCELLED                  |
 * | gRPC UNAUTHENTICATED / PERMISSION_DENIED; merr 1400-1499, auth text | UNAVAILABLE (the service's own credentials; operator fixes them) |
 * | merr 100, CollectionNotExists, "collection not found"            | NOT_FOUND (the collection) |
 * | merr 1-3, 5-7, 9 (not ready, memory/disk quota, force deny), 101/103 (not loaded), 700 (index missing), 800 (database missing) | UNAVAILABLE |
 * | merr 4, 8, RateLimit (request or rate limit)                     | RESOURCE_EXHAUSTED, retry after 1 s |
 * | merr 1100/1101 during CreateIndex                                | INVALID_ARGUMENT on index_params.params |
 * | merr 1600 alias not found / 1601 alias and collection name conflict / 1602 alias already exists (alias calls) | NOT_FOUND / ALREADY_EXISTS / ALREADY_EXISTS, naming the alias |
 * | anything else (parse errors are our compiler's bug)              | INTERNAL (cause logged)    |
 */
export function toDomainError(cause: unknown, context: MilvusErrorContext = {}): DomainError {
  if (isDomainError(cause)) return cause;
  if (cause instanceof Error && cause.name === 'AbortError') return errors.cancelled();
  const status = engineStatusOf(cause);
  if (status !== undefined) return fromEngineStatus(status, context, cause);
  const grpc = grpcCodeOf(cause);
  if (grpc !== undefined) return fromGrpcCode(grpc, cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  const sdkCode = /ErrorCode: (\w+)/.exec(message)?.[1];
  if (sdkCode !== undefined) return fromEngineStatus({ error_code: sdkCode, reason: message }, context, cause);
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|No connection established|socket hang up/i.test(message)) {
    return errors.unavailable('vector engine unavailable', cause);
  }
  return errors.internal(cause);
}

/**
 * What searchText answers: Milvus has BM25 only from 2.5 (a `BM25` function over an analyzed
 * VarChar field feeding a sparse vector field, searched with `SPARSE_INVERTED_INDEX`); the adapter
 * does not build that schema (docs/MILVUS.md, "Text and search modes"). Not an engine failure:
 * this adapter refuses before asking the engine. `version` is GetVersion's answer, null if unknown.
 */
export function fullTextUnsupported(version: string | null): DomainError {
  const advice = 'use mode vector (query_vector, or query_text embedded with the bound model), or the embedded LanceDB store (VECTOR_BACKEND=lance)';
  if (version !== null && atLeast(version, 2, 5)) {
    return errors.failedPrecondition(`full-text (BM25) search is not implemented by this service's Milvus adapter (the server is ${version}, whose BM25 functions it does not use yet); ${advice}`);
  }
  const server = version === null ? 'this server did not report its version' : `this server is ${version}`;
  return errors.failedPrecondition(`full-text (BM25) search needs Milvus 2.5+ BM25 functions; ${server}; ${advice}`);
}

/** True when a version string like "v2.5.4" or "2.3.5-dev" is at least major.minor. */
function atLeast(version: string, major: number, minor: number): boolean {
  const m = /(\d+)\.(\d+)/.exec(version);
  if (m === null) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/** True when a status is a success; both fields must say so. */
export function isSuccess(status: EngineStatus): boolean {
  const name = status.error_code;
  return (name === undefined || name === 'Success' || name === 0) && (status.code === undefined || status.code === 0);
}

/** Throws the mapped error unless `status` is a success; a missing status is a failure too. */
export function checkStatus(status: EngineStatus | undefined, context: MilvusErrorContext = {}): void {
  // The SDK's retry interceptor turns an Unimplemented status (code 12) into an empty OK answer, so an absent status
  // means the server did not run the call.
  if (status === undefined || status === null) throw errors.internal(new Error('Milvus answered without a status'));
  if (!isSuccess(status)) throw fromEngineStatus(status, context, status);
}

/** merr codes whose failure means "the engine cannot serve this now" (pkg/util/merr in Milvus). */
const UNAVAILABLE_CODES = new Set([1, 2, 3, 5, 6, 7, 9, 101, 103, 700, 800]);
const EXHAUSTED_CODES = new Set([4, 8]);
const UNAVAILABLE_NAMES = /^(NotReadyServe|NotReadyCoordActivating|ForceDeny|DiskQuotaExhausted|MemoryQuotaExhausted|TimeTickLongDelay|CollectionNotLoaded|IndexNotExist|NotShardLeader|NoReplicaAvailable)$/;
const AUTH_TEXT = /authenticat|credential|permission denied|privilege/i;

function fromEngineStatus(status: EngineStatus, context: MilvusErrorContext, cause: unknown): DomainError {
  const code = typeof status.code === 'number' ? status.code : Number(status.code ?? 0);
  const name = String(status.error_code ?? '');
  const reason = `${status.reason ?? ''} ${status.detail ?? ''}`;
  // A rejected expression quotes the user's values; never read meaning into them (our compiler's bug).
  if (/cannot parse expression/i.test(reason)) return errors.internal(cause);
  if (code === 100 || name === 'CollectionNotExists' || /collection not found|can't find collection/i.test(reason)) {
    return context.collection !== undefined ? errors.collectionNotFound(context.collection) : errors.unavailable('vector engine: collection missing', cause);
  }
  if (context.alias !== undefined && code >= 1600 && code <= 1602) {
    if (code === 1600) return errors.aliasNotFound(context.alias);
    return code === 1601 ? errors.nameTaken(context.alias, 'collection') : errors.aliasExists(context.alias);
  }
  if ((code >= 1400 && code < 1500) || AUTH_TEXT.test(name) || AUTH_TEXT.test(reason)) {
    return errors.unavailable("vector engine refused the service's credentials", cause);
  }
  if (EXHAUSTED_CODES.has(code) || name === 'RateLimit' || /rate limit/i.test(reason)) {
    return errors.resourceExhausted('vector engine', 'request rate limit reached; retry later', 1);
  }
  if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_NAMES.test(name) || /not loaded|quota|not ready|no available/i.test(reason)) {
    return errors.unavailable('vector engine unavailable', cause);
  }
  if (context.indexParams === true && (code === 1100 || code === 1101 || /invalid|out of range|illegal/i.test(reason))) {
    return errors.invalidArgument('index_params.params', `rejected by Milvus: ${reason.trim()}`);
  }
  return errors.internal(cause);
}

/** grpc-js ServiceError codes (@grpc/grpc-js `status`). */
const GRPC = { CANCELLED: 1, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

function fromGrpcCode(code: number, cause: unknown): DomainError {
  switch (code) {
    case GRPC.CANCELLED:
      return errors.cancelled();
    case GRPC.DEADLINE_EXCEEDED:
      return errors.deadlineExceeded();
    case GRPC.UNAUTHENTICATED:
    case GRPC.PERMISSION_DENIED:
      return errors.unavailable("vector engine refused the service's credentials", cause);
    case GRPC.UNAVAILABLE:
    case GRPC.UNKNOWN:
    case GRPC.INTERNAL:
    case GRPC.RESOURCE_EXHAUSTED:
      return errors.unavailable('vector engine unavailable', cause);
    default:
      return errors.internal(cause);
  }
}

/** A Status-shaped value (the object itself, or a response carrying one that failed). */
function engineStatusOf(value: unknown): EngineStatus | undefined {
  if (typeof value !== 'object' || value === null || value instanceof Error) return undefined;
  if ('error_code' in value) return value as EngineStatus;
  const nested = (value as { status?: unknown }).status;
  return typeof nested === 'object' && nested !== null && 'error_code' in nested ? (nested as EngineStatus) : undefined;
}

/** grpc-js ServiceErrors are Errors with a numeric `code` and `details`. */
function grpcCodeOf(value: unknown): number | undefined {
  if (!(value instanceof Error)) return undefined;
  const { code, details } = value as Error & { code?: unknown; details?: unknown };
  return typeof code === 'number' && typeof details === 'string' ? code : undefined;
}
