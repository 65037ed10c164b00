import { ServerError, Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, RetryInfo, RichServerError } from 'nice-grpc-error-details';
import { ERROR_CODES, DomainError, errors, type ErrorCode } from '../../src/errors';
import { INTERNAL_MESSAGE, STATUS_OF, isUnexpected, toServerError } from '../../src/grpc/status-table';

/** CONVENTIONS.md, "Errors: one code set, two tables", gRPC column — copied by hand on purpose. */
const DOCUMENTED: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  DATA_LOSS: 15,
  RESOURCE_EXHAUSTED: 8,
  UNAUTHENTICATED: 16,
  PERMISSION_DENIED: 7,
  UNAVAILABLE: 14,
  DEADLINE_EXCEEDED: 4,
  CANCELLED: 1,
  INTERNAL: 13,
};

describe('gRPC status table', () => {
  it.each(ERROR_CODES.map((code) => [code, DOCUMENTED[code]] as const))('maps %s to status %d', (code, status) => {
    expect(STATUS_OF[code]).toBe(status);
    const mapped = toServerError(new DomainError(code, `some ${code} failure`));
    expect(mapped).toBeInstanceOf(ServerError);
    expect(mapped.code).toBe(status);
  });

  it('covers exactly the closed code set', () => {
    expect(Object.keys(STATUS_OF).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('keeps the domain message for client errors', () => {
    const mapped = toServerError(errors.collectionNotFound('docs'));
    expect(mapped.details).toBe("collection 'docs' not found");
    expect(mapped).not.toBeInstanceOf(RichServerError);
    expect(isUnexpected(errors.collectionNotFound('docs'))).toBe(false);
  });

  it('turns an unknown error into INTERNAL with the generic message only', () => {
    const secret = new Error('connection string postgres://user:pw@db leaked');
    const mapped = toServerError(secret);
    expect(mapped.code).toBe(Status.INTERNAL);
    expect(mapped.details).toBe(INTERNAL_MESSAGE);
    expect(mapped.details).toBe('internal error');
    expect(isUnexpected(secret)).toBe(true);
    expect(toServerError('a thrown string').details).toBe('internal error');
    expect(toServerError(undefined).code).toBe(Status.INTERNAL);
  });

  it('never sends the text of a DomainError INTERNAL', () => {
    const mapped = toServerError(new DomainError('INTERNAL', 'disk /var/lib/x corrupt'));
    expect(mapped.code).toBe(Status.INTERNAL);
    expect(mapped.details).toBe('internal error');
    expect(isUnexpected(errors.internal(new Error('boom')))).toBe(true);
  });

  it('passes ServerErrors of nice-grpc services through', () => {
    const original = new ServerError(Status.NOT_FOUND, "Unknown service: 'x'");
    expect(toServerError(original)).toBe(original);
    expect(isUnexpected(original)).toBe(false);
  });

  it('sends field violations as google.rpc.BadRequest', () => {
    const mapped = toServerError(errors.invalidArgument('options.topk', 'must be between 1 and 1024'));
    expect(mapped).toBeInstanceOf(RichServerError);
    const extra = (mapped as RichServerError).extra;
    expect(extra).toContainEqual(
      BadRequest.fromPartial({ fieldViolations: [{ field: 'options.topk', description: 'must be between 1 and 1024' }] }),
    );
  });

  it('adds RetryInfo when the domain says when to retry', () => {
    const mapped = toServerError(errors.unavailable('engine down')) as RichServerError;
    expect(mapped.code).toBe(Status.UNAVAILABLE);
    expect(mapped.extra).toContainEqual(RetryInfo.fromPartial({ retryDelay: { seconds: 1, nanos: 0 } }));
    const fractional = toServerError(errors.resourceExhausted('queue', 'full', 1.5)) as RichServerError;
    expect(fractional.extra).toContainEqual(RetryInfo.fromPartial({ retryDelay: { seconds: 1, nanos: 500_000_000 } }));
  });

  it('names the reason of a too-large request in ErrorInfo', () => {
    const mapped = toServerError(errors.tooLarge('vectors', '10001 items; at most 10000 per call')) as RichServerError;
    expect(mapped.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(mapped.extra).toContainEqual(ErrorInfo.fromPartial({ reason: 'PAYLOAD_TOO_LARGE', domain: 'taishang.ai' }));
  });
});
