import type {
  CallOptions,
  CollectionInfo,
  CollectionSpec,
  CollectionStats,
  IndexSpec,
  IndexType,
  SearchHit,
  SearchQuery,
  StoreHealth,
  VectorRecord,
} from '../vector/vector-types';

/**
 * The port every vector engine implements (src/adapters/vector/*). Inputs arrive validated by
 * VectorService; adapters only speak their engine's dialect and translate its errors into
 * DomainError (NOT_FOUND for an unknown collection, ALREADY_EXISTS, UNAVAILABLE, ...).
 */
export interface VectorStore {
  /** Short engine name for logs and health messages. */
  readonly engine: string;
  /** Index types this engine can build; others are rejected by the domain naming these. */
  readonly supportedIndexTypes: readonly IndexType[];

  health(options?: CallOptions): Promise<StoreHealth>;
  close(): Promise<void>;

  createCollection(spec: CollectionSpec, options?: CallOptions): Promise<CollectionInfo>;
  dropCollection(name: string, options?: CallOptions): Promise<void>;
  hasCollection(name: string, options?: CallOptions): Promise<boolean>;
  /** Names in ascending order. */
  listCollections(options?: CallOptions): Promise<string[]>;
  getCollection(name: string, options?: CallOptions): Promise<CollectionInfo>;
  stats(name: string, options?: CallOptions): Promise<CollectionStats>;

  createIndex(name: string, index: IndexSpec, options?: CallOptions): Promise<void>;
  dropIndex(name: string, options?: CallOptions): Promise<void>;

  /** All or nothing: ALREADY_EXISTS (naming the ids) if any id is stored; ids are unique and non-empty. */
  insert(name: string, records: VectorRecord[], options?: CallOptions): Promise<void>;
  /** Inserts or overwrites by id; ids are unique and non-empty. */
  upsert(name: string, records: VectorRecord[], options?: CallOptions): Promise<void>;
  /** Missing ids are ignored. */
  delete(name: string, ids: string[], options?: CallOptions): Promise<void>;
  /** The records found, in no particular order. */
  get(name: string, ids: string[], options?: CallOptions): Promise<VectorRecord[]>;
  /** At most `topK` hits among rows matching the filter, closest first. */
  search(name: string, query: SearchQuery, options?: CallOptions): Promise<SearchHit[]>;
  compact(name: string, options?: CallOptions): Promise<void>;
}
