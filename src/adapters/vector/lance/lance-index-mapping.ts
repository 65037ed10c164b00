import { Index } from '@lancedb/lancedb';
import { intParam, type IndexSpec, type IndexType, type MetricType } from '../../../domain';
import { errors } from '../../../errors';

/** Every index family of the contract maps to something Lance 0.31 can build. */
export const LANCE_INDEX_TYPES: readonly IndexType[] = ['FLAT', 'HNSW', 'IVF_FLAT', 'IVF_PQ', 'AUTOINDEX'];

/** Lance names its vector index after the column unless told otherwise; we always tell it. */
export const VECTOR_INDEX_NAME = 'vector_idx';

export type DistanceType = 'cosine' | 'dot' | 'l2';

export function distanceTypeOf(metric: MetricType): DistanceType {
  return metric === 'COSINE' ? 'cosine' : metric === 'IP' ? 'dot' : 'l2';
}

/**
 * Lance's `_distance` → our score (CONVENTIONS.md). Measured on 0.31 (and checked by
 * test/integration/lance-store.test.ts against hand-computed values):
 * 'cosine' returns 1 − cos(a, b); 'dot' returns 1 − a·b (not −a·b); 'l2' returns the squared
 * Euclidean distance. Ascending `_distance` is therefore closest first for all three.
 */
export function scoreOf(metric: MetricType, distance: number): number {
  return metric === 'L2' ? distance : 1 - distance;
}

/** The engine index we build for a declared index, and when we can build it. */
export interface EngineIndexPlan {
  family: 'hnsw' | 'ivf_flat' | 'ivf_pq';
  /** Made on demand: a native object, not worth building on every check. */
  config: () => Index;
  /** Rows the table must hold before we train it. */
  minRows: number;
}

/**
 * Declared index → Lance index. FLAT builds nothing (exact search). HNSW and AUTOINDEX become
 * IVF_HNSW_SQ with one partition unless `nlist`/`num_partitions` says otherwise.
 *
 * With the IP metric every ANN family becomes IVF_FLAT: on 0.31 the 'dot' variants of
 * IVF_HNSW_SQ, IVF_HNSW_PQ and IVF_PQ returned the wrong neighbours (recall@10 of 0.02–0.4 on
 * 10k random vectors, normalised or not, whatever `ef`), while IVF_FLAT 'dot' had recall 1.0.
 *
 * Build rule: training needs data (PQ needs 256 rows; IVF k-means at least one row per
 * partition), and below a few thousand rows exact search is fast and exact anyway, so the engine
 * index is built once the table holds `minRows` = max(`baseMinRows`, partitions, 256 for PQ):
 * at CreateIndex if the table is big enough, else after the write that crosses the threshold,
 * or at Compact. Until then searches are exact.
 */
export function engineIndexPlan(spec: IndexSpec, dimension: number, baseMinRows: number): EngineIndexPlan | null {
  const family = indexFamily(spec);
  if (family === null) return null;
  const distanceType = distanceTypeOf(spec.metricType);
  const p = spec.params;
  const numPartitions = intParam(p, ['nlist', 'num_partitions'], 1, 65_536);
  const withPartitions = (min: number): number => Math.max(baseMinRows, numPartitions ?? 0, min);

  if (family === 'ivf_flat') {
    return { family, config: () => Index.ivfFlat({ distanceType, numPartitions }), minRows: withPartitions(1) };
  }
  if (family === 'ivf_pq') {
    const numSubVectors = intParam(p, ['m', 'num_sub_vectors'], 1, dimension);
    if (numSubVectors !== undefined && dimension % numSubVectors !== 0) {
      throw errors.invalidArgument('index_params.params.m', `must divide the dimension ${dimension}`);
    }
    const numBits = intParam(p, ['nbits', 'num_bits'], 4, 8);
    if (numBits !== undefined && numBits !== 4 && numBits !== 8) {
      throw errors.invalidArgument('index_params.params.nbits', 'must be 4 or 8');
    }
    return { family, config: () => Index.ivfPq({ distanceType, numPartitions, numSubVectors, numBits }), minRows: withPartitions(256) };
  }
  const m = intParam(p, ['m', 'M'], 2, 512);
  const efConstruction = intParam(p, ['ef_construction', 'efConstruction'], 1, 100_000);
  const config = (): Index => Index.hnswSq({ distanceType, numPartitions: numPartitions ?? 1, m, efConstruction });
  return { family, config, minRows: withPartitions(1) };
}

/** Which Lance index a declaration gets (see engineIndexPlan), without building its config. */
export function indexFamily(spec: IndexSpec): EngineIndexPlan['family'] | null {
  if (spec.indexType === 'FLAT') return null;
  if (spec.indexType === 'IVF_FLAT' || spec.metricType === 'IP') return 'ivf_flat';
  return spec.indexType === 'IVF_PQ' ? 'ivf_pq' : 'hnsw';
}

/** Query-time knobs for a built index; exact scores always come back (refine ≥ 1 on quantized indexes). */
export interface SearchTuning {
  ef?: number;
  nprobes?: number;
  refineFactor?: number;
}

/**
 * Defaults measured on 30k clustered 384-d vectors: HNSW_SQ reached recall@10 0.80 with Lance's
 * defaults, 0.97 with ef ≥ 64 and refine 1, and 1.0 with ef 100 and refine 2, at ~2 ms a query.
 * `rows`: about how many rows the table holds; an ef the index does not declare grows with it
 * (defaultEf).
 */
export function searchTuning(spec: IndexSpec, family: EngineIndexPlan['family'], topK: number, rows: number): SearchTuning {
  const p = spec.params;
  const nprobes = intParam(p, ['nprobe', 'nprobes'], 1, 65_536);
  const refine = intParam(p, ['refine_factor'], 1, 1_000);
  switch (family) {
    case 'hnsw':
      return { ef: Math.max(intParam(p, ['ef'], 1, 100_000) ?? defaultEf(rows), topK * 2), nprobes, refineFactor: refine ?? 2 };
    case 'ivf_pq':
      return { nprobes, refineFactor: refine ?? 10 };
    case 'ivf_flat':
      return { nprobes };
  }
}

/**
 * The HNSW search width when the index declares no `ef`: 100 up to 100,000 rows, then 100 more per
 * tenfold growth (200 at 1,000,000 rows), at most 1,000. A graph search needs a wider beam as the
 * graph grows: on the clustered 384-d set (`npm run bench:ann-choice`, BENCHMARKS.md) ef 100 with
 * refine 2 found recall@10 0.997 at 100,000 rows but 0.894 at 1,000,000, where ef 150 found 0.948,
 * ef 200 0.969 (p50 6.0 ms), ef 300 0.982 and ef 400 0.987.
 */
export function defaultEf(rows: number): number {
  if (rows <= 100_000) return 100;
  return Math.min(1_000, Math.round(100 * (1 + Math.log10(rows / 100_000))));
}

/** Checks the params we read, naming the offending key (the domain passes them through unchecked). */
export function checkIndexParams(spec: IndexSpec, dimension: number): void {
  engineIndexPlan(spec, dimension, 0);
  searchTuning(spec, 'hnsw', 1, 0);
}
