import { checkVector, metadataProblem, raise } from '../../src/domain/vector/vector-validation';
import type { Metadata } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { limits } from '../../src/domain/limits';

/** The field a validation error names, or null when the input passes. */
function fieldOf(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.violations.map((v) => v.field).join(',');
  }
}

describe('checkVector', () => {
  const kinds = [['Float32Array', (v: number[]) => Float32Array.from(v)] as const, ['number[]', (v: number[]) => v] as const];

  it.each(kinds)('names the first value that is not finite, in a %s', (_, make) => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(fieldOf(() => checkVector(make([0.5, 1, bad, 2, bad]), 5, 'L2', 'vectors[3].vector'))).toBe('vectors[3].vector[2]');
      expect(fieldOf(() => checkVector(make([bad, 1, 2]), 3, 'COSINE', 'v'))).toBe('v[0]');
    }
    expect(fieldOf(() => checkVector(make([0.5, -1, 3e38, -3e38, 1e-45]), 5, 'IP', 'v'))).toBeNull();
  });

  it.each(kinds)('refuses the wrong dimension and an all-zero vector under COSINE only, in a %s', (_, make) => {
    expect(fieldOf(() => checkVector(make([1, 2]), 3, 'L2', 'v'))).toBe('v');
    expect(fieldOf(() => checkVector(make([0, -0, 0]), 3, 'COSINE', 'v'))).toBe('v');
    expect(fieldOf(() => checkVector(make([0, 0, 0]), 3, 'L2', 'v'))).toBeNull();
    expect(fieldOf(() => checkVector(make([0, 0, 1e-30]), 3, 'COSINE', 'v'))).toBeNull();
  });

  it('refuses a value that is not a number in a plain array', () => {
    expect(fieldOf(() => checkVector([1, '2' as unknown as number, 3], 3, 'L2', 'v'))).toBe('v[1]');
  });
});

const checkMetadata = (metadata: Metadata, field: string): void => raise(metadataProblem(metadata), field);

describe('metadataProblem', () => {
  const nested = (levels: number): Record<string, unknown> => (levels <= 1 ? { leaf: 1 } : { next: nested(levels - 1) });

  it('passes flat and nested metadata up to the depth limit and refuses one level more', () => {
    expect(fieldOf(() => checkMetadata({}, 'm'))).toBeNull();
    expect(fieldOf(() => checkMetadata({ a: 1, b: 'x', c: true, d: null }, 'm'))).toBeNull();
    expect(fieldOf(() => checkMetadata(nested(limits.maxMetadataDepth), 'm'))).toBeNull();
    expect(fieldOf(() => checkMetadata(nested(limits.maxMetadataDepth + 1), 'vectors[0].metadata'))).toBe('vectors[0].metadata');
    expect(fieldOf(() => checkMetadata({ list: [[[1]]] }, 'm'))).toBeNull();
  });

  it('refuses metadata larger than the limit, flat or not', () => {
    expect(fieldOf(() => checkMetadata({ big: 'x'.repeat(limits.maxMetadataBytes) }, 'm'))).toBe('m');
    expect(fieldOf(() => checkMetadata({ inner: { big: 'x'.repeat(limits.maxMetadataBytes) } }, 'm'))).toBe('m');
  });
});
