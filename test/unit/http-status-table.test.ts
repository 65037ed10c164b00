import { DomainError, ERROR_CODES, errors, type ErrorCode } from '../../src/errors';
import { httpStatusByCode, httpStatusOf } from '../../src/http/http-status-table';
import { toProblem } from '../../src/http/problem-details';

/** CONVENTIONS.md, "Errors: one code set, two tables", HTTP column — copied by hand on purpose. */
const DOCUMENTED: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 400,
  DATA_LOSS: 400,
  RESOURCE_EXHAUSTED: 429,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  CANCELLED: 499,
  INTERNAL: 500,
};

const facts = { bodyLimitBytes: 1024, contentType: 'application/json' };

describe('HTTP status table', () => {
  it.each(ERROR_CODES.map((code) => [code, DOCUMENTED[code]] as const))('maps %s to %d', (code, status) => {
    expect(httpStatusOf(new DomainError(code, `some ${code} failure`))).toBe(status);
    const { problem } = toProblem(new DomainError(code, `some ${code} failure`), facts);
    expect({ status: problem.status, code: problem.code, type: problem.type }).toEqual({ status, code, type: 'about:blank' });
  });

  it('covers exactly the closed code set', () => {
    expect(Object.keys(httpStatusByCode).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('answers 413, not 429, for a request over a documented size limit', () => {
    expect(httpStatusOf(errors.tooLarge('vectors', '10001 items'))).toBe(413);
    expect(httpStatusOf(errors.resourceExhausted('queue', 'full', 2))).toBe(429);
  });

  it('writes the RFC 9457 body with the field violations', () => {
    const answer = toProblem(errors.invalidArgument('options.topk', 'must be between 1 and 1024'), facts, '/v1/collections/a/search');
    expect(answer).toEqual({
      problem: {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'options.topk: must be between 1 and 1024',
        code: 'INVALID_ARGUMENT',
        errors: [{ field: 'options.topk', message: 'must be between 1 and 1024' }],
        instance: '/v1/collections/a/search',
      },
      retryAfterSeconds: undefined,
      unexpected: false,
    });
  });

  it('carries Retry-After seconds and names 499', () => {
    expect(toProblem(errors.unavailable('lance down'), facts).retryAfterSeconds).toBe(1);
    expect(toProblem(errors.cancelled(), facts).problem.title).toBe('Client Closed Request');
  });

  it('turns an unknown error into a generic 500 whose cause must be logged', () => {
    for (const thrown of [new Error('password=hunter2 in connection string'), 'a thrown string', undefined, { statusCode: 400 }]) {
      const answer = toProblem(thrown, facts);
      expect(answer).toEqual({
        problem: { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'internal error', code: 'INTERNAL' },
        unexpected: true,
      });
    }
  });

  it('never sends the text of a DomainError INTERNAL', () => {
    const answer = toProblem(new DomainError('INTERNAL', 'disk /var/lib/x corrupt'), facts);
    expect(answer.problem).toMatchObject({ status: 500, detail: 'internal error', code: 'INTERNAL' });
    expect(answer.unexpected).toBe(true);
  });

  it("maps Fastify's own errors", () => {
    const validation = Object.assign(new Error('body/vectors/0/vector/3 must be number'), {
      code: 'FST_ERR_VALIDATION',
      statusCode: 400,
      validationContext: 'body',
      validation: [
        { keyword: 'type', instancePath: '/vectors/0/vector/3', schemaPath: '#/x', params: { type: 'number' }, message: 'must be number' },
        { keyword: 'required', instancePath: '/options', schemaPath: '#/y', params: { missingProperty: 'topk' }, message: 'x' },
        { keyword: 'additionalProperties', instancePath: '', schemaPath: '#/z', params: { additionalProperty: 'top_k' }, message: 'x' },
        { keyword: 'type', instancePath: '', schemaPath: '#/w', params: { type: 'object' }, message: 'must be object' },
      ],
    });
    expect(toProblem(validation, facts).problem).toMatchObject({
      status: 400,
      code: 'INVALID_ARGUMENT',
      errors: [
        { field: 'vectors[0].vector[3]', message: 'must be a finite number' },
        { field: 'options.topk', message: 'is required' },
        { field: 'top_k', message: 'is not a known field' },
        { field: 'body', message: 'must be object' },
      ],
    });
    // A value matching no branch of a union: the field once, with the types it may have.
    const union = Object.assign(new Error('body/parameters/stop must be string'), {
      code: 'FST_ERR_VALIDATION',
      statusCode: 400,
      validationContext: 'body',
      validation: [
        { keyword: 'type', instancePath: '/parameters/stop', schemaPath: '#/a', params: { type: 'string' }, message: 'must be string' },
        { keyword: 'type', instancePath: '/parameters/stop', schemaPath: '#/b', params: { type: 'array' }, message: 'must be array' },
        { keyword: 'anyOf', instancePath: '/parameters/stop', schemaPath: '#', params: {}, message: 'must match a schema in anyOf' },
      ],
    });
    expect(toProblem(union, facts).problem).toMatchObject({ detail: 'parameters.stop: must be string or array', errors: [{ field: 'parameters.stop', message: 'must be string or array' }] });
    const mediaType = Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
    expect(toProblem(mediaType, { ...facts, contentType: 'text/csv' }).problem).toMatchObject({
      status: 415,
      code: 'INVALID_ARGUMENT',
      errors: [{ field: 'content-type', message: "Content-Type 'text/csv' is not supported; send application/json" }],
    });
    const tooLarge = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(toProblem(tooLarge, facts).problem).toMatchObject({ status: 413, code: 'RESOURCE_EXHAUSTED', errors: [{ field: 'body' }] });
    const badUrl = Object.assign(new Error("'/%zz' is not a valid url component"), { code: 'FST_ERR_BAD_URL', statusCode: 400 });
    expect(toProblem(badUrl, facts).problem).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', errors: [{ field: 'url' }] });
    const badLength = Object.assign(new Error('Request body size did not match Content-Length'), { code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 });
    expect(toProblem(badLength, facts).problem).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', detail: badLength.message });
  });
});
