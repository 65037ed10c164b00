import { checkStatus, fullTextUnsupported, isSuccess, toDomainError } from '../../src/adapters/vector/milvus/milvus-errors';
import { DomainError } from '../../src/errors';

/**
 * The failure shapes below are the ones Milvus 2.3.5, milvus-lite and SDK 3.0.6 were seen to
 * produce (docs/MILVUS.md); the mapping must hold for each.
 */
const notFound = { error_code: 'UnexpectedError', reason: "can't find collection collection not found[database=default][collection=x]", code: 100 };

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

describe('Milvus failures become DomainErrors', () => {
  it('reads both status fields: "Success" with a non-zero code is a failure', () => {
    expect(isSuccess({ error_code: 'Success', code: 0 })).toBe(true);
    expect(isSuccess({ error_code: 'Success', code: 65535, reason: 'boom' })).toBe(false);
    expect(isSuccess({ error_code: 'UnexpectedError', code: 0 })).toBe(false);
    expect(() => checkStatus({ error_code: 'Success', code: 0 })).not.toThrow();
    expect(() => checkStatus(undefined)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('maps a missing collection to NOT_FOUND naming it, whichever shape it comes in', () => {
    for (const shape of [notFound, { status: notFound }, { error_code: 'CollectionNotExists', reason: 'collection not found', code: 0 }]) {
      expect(toDomainError(shape, { collection: 'x' })).toMatchObject({ code: 'NOT_FOUND', message: "collection 'x' not found" });
    }
    expect(() => checkStatus(notFound, { collection: 'x' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('maps transport failures and overload to UNAVAILABLE or RESOURCE_EXHAUSTED, retryable', () => {
    expect(toDomainError(grpcError(14, 'No connection established. Last error: connect ECONNREFUSED'))).toMatchObject({ code: 'UNAVAILABLE', retryAfterSeconds: 1 });
    expect(toDomainError(grpcError(4, 'Deadline exceeded'))).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(toDomainError(grpcError(1, 'Cancelled on client'))).toMatchObject({ code: 'CANCELLED' });
    expect(toDomainError(grpcError(16, 'bad credentials'))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('credentials') });
    expect(toDomainError({ error_code: 'UnexpectedError', code: 101, reason: 'collection not loaded[collection=1]' })).toMatchObject({ code: 'UNAVAILABLE' });
    expect(toDomainError({ error_code: 'RateLimit', code: 8, reason: 'rate limit exceeded' })).toMatchObject({ code: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 1 });
    expect(toDomainError(new Error('ErrorCode: IndexNotExist. Reason: index not found[collection=x]'))).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('never reads meaning into a rejected expression: it quotes user text, and is our bug', () => {
    const parse = { error_code: 'UnexpectedError', code: 65535, reason: 'cannot parse expression: metadata["k"] == "collection not found, rate limit"' };
    expect(toDomainError(parse, { collection: 'x' })).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });

  it('blames index parameters only during CreateIndex', () => {
    const invalid = { error_code: 'UnexpectedError', code: 1100, reason: 'invalid parameter[expected=valid index params][actual=M out of range]' };
    expect(toDomainError(invalid, { collection: 'x', indexParams: true })).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('index_params.params') });
    expect(toDomainError(invalid, { collection: 'x' })).toMatchObject({ code: 'INTERNAL' });
  });

  it('keeps DomainErrors and turns aborts into CANCELLED; anything else is INTERNAL with the cause kept', () => {
    const own = new DomainError('ALREADY_EXISTS', 'taken');
    expect(toDomainError(own)).toBe(own);
    expect(toDomainError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toMatchObject({ code: 'CANCELLED' });
    const crash = new TypeError("Cannot read properties of undefined (reading 'vector')");
    expect(toDomainError(crash)).toMatchObject({ code: 'INTERNAL', cause: crash });
  });
});

describe('full-text search on Milvus', () => {
  it('is FAILED_PRECONDITION naming the missing BM25 functions and the version the server reported', () => {
    expect(fullTextUnsupported('v2.3.5-lite')).toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringMatching(/^full-text \(BM25\) search needs Milvus 2\.5\+ BM25 functions; this server is v2\.3\.5-lite; use mode vector/),
    });
    expect(fullTextUnsupported(null).message).toMatch(/needs Milvus 2\.5\+ BM25 functions; this server did not report its version/);
    // A server that has them: still refused, saying the adapter is what lacks it.
    for (const version of ['v2.5.4', '2.6.0', 'v3.0.0-beta']) {
      expect(fullTextUnsupported(version)).toMatchObject({ code: 'FAILED_PRECONDITION', message: expect.stringContaining(`not implemented by this service's Milvus adapter (the server is ${version}`) });
    }
  });
});
