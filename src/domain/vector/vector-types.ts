import type { FilterNode, Scalar } from '../filter/filter-ast';

export type { Scalar };

/** How similarity is measured. */
export const METRIC_TYPES = ['COSINE', 'IP', 'L2'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** Index families a collection may declare; each store supports a subset. */
export const INDEX_TYPES = ['FLAT', 'HNSW', 'IVF_FLAT', 'IVF_PQ', 'AUTOINDEX'] as const;
export type IndexType = (typeof INDEX_TYPES)[number];

/** JSON object attached to a vector. */
export type Metadata = Record<string, unknown>;

/** A declared vector index. */
export interface IndexSpec {
  indexType: IndexType;
  metricType: MetricType;
  /** Engine-neutral build/search parameters (m, ef_construction, nlist, nprobe, ef, ...). */
  params: Record<string, unknown>;
}

/** What is fixed when a collection is created. */
export interface CollectionSpec {
  name: string;
  description: string;
  dimension: number;
  /** The metric searches use; the index, when declared, carries the same metric. */
  metricType: MetricType;
  index: IndexSpec | null;
}

export interface CollectionInfo extends CollectionSpec {
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds of the last change to the collection's definition or data. */
  updatedAt: number;
}

export interface CollectionStats {
  name: string;
  vectorCount: number;
  sizeInBytes: number;
}

/** One stored vector in our vocabulary. */
export interface VectorRecord {
  id: string;
  vector: number[];
  metadata: Metadata;
}

/** One search hit. `score` follows CONVENTIONS.md: similarity for COSINE/IP, squared L2 distance for L2. */
export interface SearchHit {
  id: string;
  score: number;
  vector?: number[];
  metadata: Metadata;
}

export interface SearchQuery {
  vector: number[];
  topK: number;
  includeVector: boolean;
  filter: FilterNode | null;
}

export interface StoreHealth {
  healthy: boolean;
  message: string;
}

/** Carried from both doors into every engine call. */
export interface CallOptions {
  /** Fires when the caller cancels or its deadline passes. */
  signal?: AbortSignal;
}

/** A stored record as a listing returns it: the vector only when asked for. */
export type ListedRecord = Omit<VectorRecord, 'vector'> & { vector?: number[] };

/**
 * One page of a scan as a store runs it: the records matching `filter` whose ids come after
 * `afterId` (null: from the start), in ascending id order (byte order of the UTF-8 ids, the order
 * of hit-order.ts's compareIds), at most `limit` of them. Keyset, not offset: each page starts
 * strictly after the last id seen, so a record stored for the whole of a scan is returned exactly
 * once however the collection changes meanwhile, and a page costs the same at any depth.
 */
export interface ScanRequest {
  filter: FilterNode | null;
  afterId: string | null;
  limit: number;
  includeVector: boolean;
}

/** A second name for a collection; every read and write accepts it where it accepts the collection's name. */
export interface AliasInfo {
  alias: string;
  /** The collection it names now. */
  collection: string;
}
