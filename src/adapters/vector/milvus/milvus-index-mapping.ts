import { intParam, type IndexSpec, type IndexType, type MetricType } from '../../../domain';
import { errors } from '../../../errors';

/** Every index family of the contract exists in Milvus under the same name. */
export const MILVUS_INDEX_TYPES: readonly IndexType[] = ['FLAT', 'HNSW', 'IVF_FLAT', 'IVF_PQ', 'AUTOINDEX'];

/** What createIndex sends: index and metric types always explicit (no server-side defaults). */
export interface EngineIndex {
  index_type: IndexType;
  metric_type: MetricType;
  params: Record<string, number>;
}

/**
 * The engine index for a collection. Milvus loads (and so searches) only indexed vector fields, so
 * a collection with no declared index gets an exact FLAT index with its metric; HasIndex still
 * reports false (milvus-catalog.ts keeps the declaration apart).
 */
export function engineIndexFor(declared: IndexSpec | null, metric: MetricType, dimension: number): EngineIndex {
  if (declared === null || declared.indexType === 'FLAT') return { index_type: 'FLAT', metric_type: declared?.metricType ?? metric, params: {} };
  const p = declared.params;
  const base = { index_type: declared.indexType, metric_type: declared.metricType };
  switch (declared.indexType) {
    case 'HNSW':
      return { ...base, params: { M: intParam(p, ['m', 'M'], 2, 2048) ?? 16, efConstruction: intParam(p, ['ef_construction', 'efConstruction'], 1, 2_147_483_647) ?? 200 } };
    case 'IVF_FLAT':
      return { ...base, params: { nlist: nlistOf(p) } };
    case 'IVF_PQ': {
      const m = intParam(p, ['m', 'num_sub_vectors'], 1, dimension) ?? defaultSubVectors(dimension);
      if (dimension % m !== 0) throw errors.invalidArgument('index_params.params.m', `must divide the dimension ${dimension}`);
      return { ...base, params: { nlist: nlistOf(p), m, nbits: intParam(p, ['nbits', 'num_bits'], 1, 16) ?? 8 } };
    }
    case 'AUTOINDEX':
      return { ...base, params: {} };
  }
}

/**
 * Query-time parameters. HNSW's `ef` must be at least top-k (Milvus rejects less); IVF probes 16
 * lists by default, or the declared `nprobe`.
 */
export function searchParamsFor(declared: IndexSpec | null, topK: number): Record<string, number> {
  if (declared === null) return {};
  const p = declared.params;
  switch (declared.indexType) {
    case 'HNSW':
      return { ef: Math.max(intParam(p, ['ef'], 1, 32_768) ?? 64, topK) };
    case 'IVF_FLAT':
    case 'IVF_PQ':
      return { nprobe: Math.min(intParam(p, ['nprobe', 'nprobes'], 1, 65_536) ?? 16, nlistOf(p)) };
    default:
      return {};
  }
}

/** Checks the params we read, naming the offending key (the domain passes them through unchecked). */
export function checkIndexParams(spec: IndexSpec, dimension: number): void {
  engineIndexFor(spec, spec.metricType, dimension);
  searchParamsFor(spec, 1);
}

function nlistOf(p: Record<string, unknown>): number {
  return intParam(p, ['nlist', 'num_partitions'], 1, 65_536) ?? 128;
}

/** Sub-vectors of a few dimensions each: the largest divisor of the dimension up to 64. */
function defaultSubVectors(dimension: number): number {
  for (let m = Math.min(64, dimension); m > 1; m -= 1) if (dimension % m === 0) return m;
  return 1;
}
