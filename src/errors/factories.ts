import { DomainError, ERROR_BOUNDS, INTERNAL_MESSAGE, type FieldViolation } from './domain-error';

/** Named constructors, so call sites read as the failure they report. */

export function invalidArgument(field: string, message: string): DomainError {
  return new DomainError('INVALID_ARGUMENT', `${field}: ${message}`, { violations: [{ field, message }] });
}

/** Carries the first ERROR_BOUNDS.maxViolations violations; the message counts the rest. */
export function invalidArguments(violations: FieldViolation[]): DomainError {
  const shown = violations.slice(0, ERROR_BOUNDS.maxViolations);
  const more = violations.length - shown.length;
  const text = shown.map((v) => `${v.field}: ${v.message}`).join('; ') + (more > 0 ? `; and ${more} more` : '');
  return new DomainError('INVALID_ARGUMENT', text, { violations });
}

export function collectionNotFound(name: string): DomainError {
  return new DomainError('NOT_FOUND', `collection '${name}' not found`);
}

export function collectionExists(name: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `collection '${name}' already exists`);
}

export function vectorNotFound(collection: string, id: string): DomainError {
  return new DomainError('NOT_FOUND', `vector '${id}' not found in collection '${collection}'`);
}

export function vectorsExist(collection: string, ids: string[]): DomainError {
  const shown = ids.slice(0, 5).map((id) => `'${id}'`).join(', ');
  const more = ids.length > 5 ? ` and ${ids.length - 5} more` : '';
  return new DomainError('ALREADY_EXISTS', `vectors: ids already exist in collection '${collection}': ${shown}${more}`, {
    violations: [{ field: 'vectors', message: `ids already exist: ${shown}${more}` }],
  });
}

export function modelNotFound(name: string): DomainError {
  return new DomainError('NOT_FOUND', `model '${name}' not found`);
}

export function modelExists(name: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `model '${name}' already exists`);
}

export function failedPrecondition(message: string): DomainError {
  return new DomainError('FAILED_PRECONDITION', message);
}

export function resourceExhausted(field: string, message: string, retryAfterSeconds?: number): DomainError {
  return new DomainError('RESOURCE_EXHAUSTED', `${field}: ${message}`, {
    violations: [{ field, message }],
    retryAfterSeconds,
  });
}

/** A request larger than a documented limit: not retryable as it is, so HTTP answers 413. */
export function tooLarge(field: string, message: string): DomainError {
  return new DomainError('RESOURCE_EXHAUSTED', `${field}: ${message}`, {
    violations: [{ field, message }],
    reason: 'PAYLOAD_TOO_LARGE',
  });
}

export function unavailable(message: string, cause?: unknown): DomainError {
  return new DomainError('UNAVAILABLE', message, { cause, retryAfterSeconds: 1 });
}

export function deadlineExceeded(): DomainError {
  return new DomainError('DEADLINE_EXCEEDED', 'deadline exceeded');
}

export function cancelled(): DomainError {
  return new DomainError('CANCELLED', 'the caller cancelled the call');
}

/**
 * What a call fails with once its AbortSignal fired, from `signal.reason`: the transport's own
 * DomainError as it is (e.g. a gRPC deadline), DEADLINE_EXCEEDED for AbortSignal.timeout()'s
 * TimeoutError, CANCELLED for anything else. Every provider answers an abort through this.
 */
export function abortedBy(reason: unknown): DomainError {
  if (reason instanceof DomainError) return reason;
  if ((reason as { name?: unknown } | null)?.name === 'TimeoutError') return deadlineExceeded();
  return cancelled();
}

export function internal(cause?: unknown): DomainError {
  return new DomainError('INTERNAL', INTERNAL_MESSAGE, { cause });
}

/** No API key, or one that matches none; the message never repeats what was presented. */
export function unauthenticated(message: string): DomainError {
  return new DomainError('UNAUTHENTICATED', message);
}

export function permissionDenied(message: string): DomainError {
  return new DomainError('PERMISSION_DENIED', message);
}

/** Over the caller's rate limit: retryable, unlike a request that is too large. */
export function rateLimited(caller: string, retryAfterSeconds: number): DomainError {
  return new DomainError('RESOURCE_EXHAUSTED', `rate limit exceeded for ${caller}; retry after ${Math.ceil(retryAfterSeconds)} s`, {
    retryAfterSeconds,
    reason: 'RATE_LIMITED',
  });
}

/** Aliases and collections share one namespace (docs/API.md, "Aliases"): one wording per conflict, for every engine. */
export function aliasNotFound(alias: string): DomainError {
  return new DomainError('NOT_FOUND', `alias '${alias}' not found`);
}

export function aliasExists(alias: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `alias '${alias}' already exists; AlterAlias points it at another collection`);
}

/** CreateCollection or CreateAlias of a name an alias holds, or CreateAlias of a collection's name. */
export function nameTaken(name: string, by: 'alias' | 'collection'): DomainError {
  return new DomainError('ALREADY_EXISTS', `'${name}' is already the name of ${by === 'alias' ? 'an alias' : 'a collection'}; aliases and collections share one namespace`);
}

/** An alias names a collection, never another alias. */
export function aliasOfAlias(alias: string): DomainError {
  return invalidArgument('collection_name', `'${alias}' is an alias; an alias must name a collection`);
}

export function dropThroughAlias(alias: string): DomainError {
  return new DomainError('FAILED_PRECONDITION', `'${alias}' is an alias, not a collection; DropAlias removes it, DropCollection takes the collection's own name`);
}

export function collectionHasAliases(collection: string, aliases: readonly string[]): DomainError {
  const names = aliases.map((a) => `'${a}'`).join(', ');
  return new DomainError('FAILED_PRECONDITION', `collection '${collection}' is named by alias${aliases.length > 1 ? 'es' : ''} ${names}; drop the alias or point it elsewhere (DropAlias, AlterAlias) first`);
}

/** Bytes the caller sent arrived damaged or cut short (a checksum or a count does not verify). */
export function dataLoss(field: string, message: string): DomainError {
  return new DomainError('DATA_LOSS', `${field}: ${message}`, { violations: [{ field, message }] });
}
