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

/**
 * The embedding model a collection is bound to, fixed at creation: the registered name and what
 * identified its weights then, so a later change of weights under the same name is detectable.
 */
export interface EmbeddingBinding {
  /** The registry name. */
  model: string;
  provider: string;
  modelId: string;
  /** What pins the weights (e.g. `dtype=fp32`, a file's sha256). */
  weights: string;
  dimension: number;
}

/** What is fixed when a collection is created. */
export interface CollectionSpec {
  name: string;
  description: string;
  dimension: number;
  /** The metric searches use; the index, when declared, carries the same metric. */
  metricType: MetricType;
  index: IndexSpec | null;
  /** Set when records may carry text alone and searches may send text (bound collections). */
  embedding: EmbeddingBinding | null;
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
  /** The record's text; absent when it has none. */
  text?: string;
}

/**
 * A vector's values on the way in. The gRPC door decodes them into a Float32Array in one copy
 * (grpc/vector-request-decoding.ts); other callers hand plain numbers. Stores read either alike.
 */
export type VectorValues = readonly number[] | Float32Array;

/** A record as a write (Insert, Upsert, an import) hands it to the store. */
export type WriteRecord = Omit<VectorRecord, 'vector'> & { vector: VectorValues };

/** One search hit. `score` follows CONVENTIONS.md: similarity for COSINE/IP, squared L2 distance for L2. */
export interface SearchHit {
  id: string;
  score: number;
  vector?: number[];
  metadata: Metadata;
  /** The record's text; absent when it has none. */
  text?: string;
}

export interface SearchQuery {
  vector: number[];
  topK: number;
  includeVector: boolean;
  filter: FilterNode | null;
}

/**
 * A full-text query: BM25 over the stored texts (tokenized by the engine), at most `topK` hits,
 * best first with ties by id, among rows matching the filter. Scores are the engine's BM25 scores.
 */
export interface TextQuery {
  text: string;
  topK: number;
  includeVector: boolean;
  filter: FilterNode | null;
}

/** How a search ranks: by vector similarity, by BM25 over texts, or both fused (RRF). */
export const SEARCH_MODES = ['vector', 'text', 'hybrid'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface StoreHealth {
  healthy: boolean;
  message: string;
}

/** Carried from both doors into every engine call. */
export interface CallOptions {
  /** Fires when the caller cancels or its deadline passes. A door may make it on first read. */
  readonly signal?: AbortSignal;
  /**
   * Whether the caller has already left, answered without making the signal: the gRPC door makes
   * a unary call's signal on first read, and a call that only asks "still there?" should not pay
   * for one. Read it through callCancelled (abort-signals.ts).
   */
  readonly aborted?: boolean;
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
