import { meanPoolNormalized } from '../../src/providers/transformers/mean-pooling';

/** Deterministic pseudo-random floats in [-2, 2) (no Math.random: failures must reproduce). */
function floats(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return (a / 2 ** 32) * 4 - 2;
  });
}

describe('meanPoolNormalized', () => {
  it('equals transformers.js mean_pooling(...).normalize(2, -1) bit for bit, padding included', async () => {
    const { Tensor, mean_pooling } = await import('@huggingface/transformers');
    // 5 rows of 7 tokens, 384 wide; row r has 7 - r real tokens and r of padding.
    const [rows, tokens, width] = [5, 7, 384];
    const hidden = floats(rows * tokens * width, 7);
    const mask = BigInt64Array.from({ length: rows * tokens }, (_, i) => (i % tokens < tokens - Math.floor(i / tokens) ? 1n : 0n));
    const expected = mean_pooling(new Tensor('float32', hidden, [rows, tokens, width]), new Tensor('int64', mask, [rows, tokens])).normalize(2, -1).data as Float32Array;
    const actual = meanPoolNormalized(hidden, mask, rows, tokens, width);
    expect(actual).toHaveLength(expected.length);
    const differing = [...expected].filter((v, i) => !Object.is(v, actual[i])).length;
    expect(differing).toBe(0);
  });

  it('gives unit vectors that ignore padded tokens', () => {
    const hidden = Float32Array.from([1, 0, 3, 4, 100, 100]);
    const out = meanPoolNormalized(hidden, [1, 1, 0], 1, 3, 2);
    // mean of (1,0) and (3,4) = (2,2), normalised
    expect(out[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(out[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });
});
