import { BadRequest, RichServerError } from 'nice-grpc-error-details';
import { limits } from '../../src/domain';
import { checkJsonSize } from '../../src/domain/check-json-size';
import { parseModelConfig, parseGenerationParams } from '../../src/domain/model/model-validation';
import { parseIndex } from '../../src/domain/vector/vector-validation';
import { DomainError, errors } from '../../src/errors';
import { clip, ERROR_BOUNDS } from '../../src/errors/domain-error';
import { toServerError } from '../../src/grpc/status-table';

/** Bytes the status of `error` puts in gRPC trailers: grpc-message plus grpc-status-details-bin (base64). */
function trailerBytes(error: DomainError): number {
  const status = toServerError(error);
  const details = status instanceof RichServerError ? status.extra : [];
  const detailBytes = details.reduce((n, d) => n + (d.$type === BadRequest.$type ? BadRequest.encode(d).finish().length : 0), 0);
  return encodeURIComponent(status.details).length + Math.ceil((detailBytes * 4) / 3);
}

function invalid(run: () => unknown): DomainError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('error bounds: a status always fits in gRPC trailers', () => {
  it('100,000 unknown generation parameters: the first 10 violations, the rest counted', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const error = invalid(() => parseGenerationParams(wide, 2048));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations).toHaveLength(ERROR_BOUNDS.maxViolations);
    expect(error.violations[0]?.field).toBe('parameters.k0');
    expect(error.message).toContain('and 99990 more');
    expect(trailerBytes(error)).toBeLessThan(8 * 1024);
  });

  it('a 1 MB key is named, cut to 200 characters', () => {
    const key = 'x'.repeat(1_000_000);
    const error = invalid(() => parseGenerationParams({ [key]: 1 }, 2048));
    expect(error.violations[0]?.field).toBe(`${'parameters.'}${'x'.repeat(ERROR_BOUNDS.maxFieldChars - 12)}…`);
    expect(error.violations[0]?.field).toHaveLength(ERROR_BOUNDS.maxFieldChars);
    expect(error.message.length).toBeLessThanOrEqual(ERROR_BOUNDS.maxMessageChars);
    expect(trailerBytes(error)).toBeLessThan(8 * 1024);
  });

  it('every error message is bounded, whatever it echoes', () => {
    const error = new DomainError('INVALID_ARGUMENT', `unknown provider '${'p'.repeat(100_000)}'`);
    expect(error.message).toHaveLength(ERROR_BOUNDS.maxMessageChars);
    expect(error.message.endsWith('…')).toBe(true);
  });

  it('a short error is untouched', () => {
    const error = errors.invalidArguments([{ field: 'a', message: 'bad' }, { field: 'b', message: 'worse' }]);
    expect(error.message).toBe('a: bad; b: worse');
    expect(error.violations).toEqual([{ field: 'a', message: 'bad' }, { field: 'b', message: 'worse' }]);
  });

  it('clip never splits a surrogate pair', () => {
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(clip('abc😀d', 4)).toBe('abc…');
    expect(clip('abcd', 4)).toBe('abcd');
  });
});

describe('free-form parameters are bounded by their JSON size', () => {
  it('checkJsonSize names the field', () => {
    expect(() => checkJsonSize({ a: 'x'.repeat(100) }, 'p', 50)).toThrow(/^p: serialized as JSON it is 108 bytes; the limit is 50$/);
    expect(() => checkJsonSize({ a: 1 }, 'p', 50)).not.toThrow();
  });

  it('index params over 4 KiB are INVALID_ARGUMENT', () => {
    const params = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    const error = invalid(() => parseIndex({ indexType: 'FLAT', params }, 'COSINE', ['FLAT'], 'index_params'));
    expect(error.violations.map((v) => v.field)).toEqual(['index_params.params']);
    expect(parseIndex({ indexType: 'HNSW', params: { m: 16, ef_construction: 200 } }, 'COSINE', ['HNSW'], 'index_params')?.params).toEqual({ m: 16, ef_construction: 200 });
    expect(limits.maxIndexParamsBytes).toBe(4096);
  });

  it('model parameters over 16 KiB are INVALID_ARGUMENT', () => {
    const config = { name: 'm', provider: 'openai', modelId: 'gpt', parameters: { base_url: `http://${'a'.repeat(20_000)}` } };
    const error = invalid(() => parseModelConfig(config));
    expect(error.violations.map((v) => v.field)).toEqual(['config.parameters']);
    expect(parseModelConfig({ ...config, parameters: { base_url: 'http://localhost:8080/v1' } }).parameters).toEqual({ base_url: 'http://localhost:8080/v1' });
  });
});
