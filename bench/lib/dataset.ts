/** Deterministic clustered data: the same seed gives the same vectors on every machine. */

import { seededRandom } from '../../src/domain/seeded-random';

/** mulberry32 (the domain's seededRandom): tiny, fast, good enough for benchmark data. */
export const rng = seededRandom;

function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

export interface Dataset {
  dim: number;
  vectors: Float32Array[];
  queries: Float32Array[];
}

/** `count` points around `clusters` random centres (spread 0.15), plus `queries` held-out points. */
export function clusteredDataset(opts: { count: number; dim: number; clusters: number; queries: number; seed: number }): Dataset {
  const next = rng(opts.seed);
  const centres = Array.from({ length: opts.clusters }, () => Float32Array.from({ length: opts.dim }, () => gaussian(next)));
  const point = (): Float32Array => {
    const c = centres[Math.floor(next() * opts.clusters)]!;
    return Float32Array.from(c, (x) => x + 0.15 * gaussian(next));
  };
  return {
    dim: opts.dim,
    vectors: Array.from({ length: opts.count }, point),
    queries: Array.from({ length: opts.queries }, point),
  };
}

/** `count` + `queries` vectors with every component uniform in [-1, 1): no structure for an index to exploit. */
export function uniformDataset(opts: { count: number; dim: number; queries: number; seed: number }): Dataset {
  const next = rng(opts.seed);
  const point = (): Float32Array => Float32Array.from({ length: opts.dim }, () => next() * 2 - 1);
  return { dim: opts.dim, vectors: Array.from({ length: opts.count }, point), queries: Array.from({ length: opts.queries }, point) };
}
