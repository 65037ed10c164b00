import type { FilterNode } from '../filter/filter-ast';
import type {
  AliasInfo,
  CallOptions,
  CollectionInfo,
  CollectionSpec,
  CollectionStats,
  IndexSpec,
  IndexType,
  ListedRecord,
  ScanRequest,
  SearchHit,
  SearchQuery,
  StoreHealth,
  TextQuery,
  VectorRecord,
  WriteRecord,
} from '../vector/vector-types';

/**
 * What a collection declares that the meaning of a call depends on (its shape and metric), and
 * which collection it is: `name` is the collection's own name when the call came through an alias,
 * and `createdAt` tells it from an earlier collection of that name (a page token's binding).
 */
export type Declaration = Pick<CollectionInfo, 'name' | 'dimension' | 'metricType' | 'index' | 'createdAt' | 'embedding'>;

/**
 * The domain's half of a call whose checks need the collection's declaration (a query's dimension,
 * a write's batch size in floats, an index's default metric): a pure, synchronous function that
 * checks the request against the declaration and returns what to execute, or throws DomainError.
 *
 * Why a function and not "the store checks the dimension": the rules (which field is named, what
 * the message says, COSINE's zero vector) stay in the domain, written once for every engine, while
 * the store reads the declaration in the same trip that executes the call. Before, the domain asked
 * the store for the collection, checked, and called again: two trips per call (on Milvus two
 * DescribeCollection RPCs plus the operation), and a window in which the declaration could change.
 * A store calls a plan exactly once, after it has found the collection (so an unknown collection
 * is NOT_FOUND before any request check, as before) and before any engine work.
 */
export type Plan<T> = (declared: Declaration) => T;

/**
 * The port every vector engine implements (src/adapters/vector/*). Requests arrive validated by
 * VectorService, either as values or as a Plan the store runs against the declaration it holds;
 * adapters only speak their engine's dialect and translate its errors into DomainError (NOT_FOUND
 * for an unknown collection, ALREADY_EXISTS, UNAVAILABLE, ...). Every method is one trip: the
 * domain calls exactly one method per operation.
 *
 * Aliases: every method taking a collection `name` also takes an alias and resolves it inside its
 * trip (once: the whole call runs on the collection the alias named when it started), except
 * dropCollection, which refuses an alias (FAILED_PRECONDITION). Aliases and collections share one
 * namespace.
 *
 * Written vectors: a store keeps no reference to a record's vector once its insert or upsert has
 * settled (it copies what it keeps, or writes it out before settling). The gRPC door decodes a
 * request's vectors into a buffer it reuses for the next request once the call has settled
 * (vector-request-decoding.ts); a store still reading it then would read another request's floats.
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
  /**
   * Gives collection `from` (its own name, not an alias, and named by no alias) the free name `to`,
   * keeping its records, declaration and createdAt; the commit point of a snapshot import, so it is
   * one atomic step of the engine. ALREADY_EXISTS when `to` is a collection's or an alias's name.
   */
  renameCollection(from: string, to: string, options?: CallOptions): Promise<void>;
  hasCollection(name: string, options?: CallOptions): Promise<boolean>;
  /** Names in ascending order. */
  listCollections(options?: CallOptions): Promise<string[]>;
  getCollection(name: string, options?: CallOptions): Promise<CollectionInfo>;
  stats(name: string, options?: CallOptions): Promise<CollectionStats>;

  /** Declares the index `plan` returns (replacing any) and builds it when the engine can. */
  createIndex(name: string, plan: Plan<IndexSpec>, options?: CallOptions): Promise<void>;
  dropIndex(name: string, options?: CallOptions): Promise<void>;

  /** All or nothing: ALREADY_EXISTS (naming the ids) if any id is stored; ids are unique and non-empty. */
  insert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void>;
  /** Inserts or overwrites by id; ids are unique and non-empty. */
  upsert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void>;
  /** Missing ids are ignored; an unknown collection is NOT_FOUND. */
  delete(name: string, ids: string[], options?: CallOptions): Promise<void>;
  /** The records found, in no particular order. */
  get(name: string, ids: string[], options?: CallOptions): Promise<VectorRecord[]>;
  /**
   * At most `topK` hits among rows matching the filter, in the domain's order (hit-order.ts:
   * closest first, equal scores by id in byte order). When the k-th score is shared by rows past
   * k, the ones with the smallest ids are returned: the store fetches past k until the tie group
   * ends (rankThroughTies).
   */
  search(name: string, plan: Plan<SearchQuery>, options?: CallOptions): Promise<SearchHit[]>;
  /**
   * Full-text search (BM25) over the stored texts of a bound collection, in the same order rules
   * as `search` but scores are BM25 (higher is better). An engine that cannot answers
   * FAILED_PRECONDITION naming the capability it lacks.
   */
  searchText(name: string, plan: Plan<TextQuery>, options?: CallOptions): Promise<SearchHit[]>;
  compact(name: string, options?: CallOptions): Promise<void>;

  /**
   * One page of a scan (ScanRequest: ascending ids after `afterId`, at most `limit`), the plan run
   * against the declaration of the collection the name resolved to. What an exporter streams a
   * collection with in bounded memory: call again with the last id returned until a page is short.
   */
  scan(name: string, plan: Plan<ScanRequest>, options?: CallOptions): Promise<ListedRecord[]>;
  /** The exact number of records stored now that match `filter` (all of them when null). */
  count(name: string, filter: FilterNode | null, options?: CallOptions): Promise<number>;

  /** NOT_FOUND for an unknown collection, INVALID_ARGUMENT when `collection` is an alias, ALREADY_EXISTS when the name is taken by an alias or a collection. */
  createAlias(alias: string, collection: string, options?: CallOptions): Promise<void>;
  /** Points an existing alias at another collection in one atomic step: a call through it runs wholly on the old or the new one. */
  alterAlias(alias: string, collection: string, options?: CallOptions): Promise<void>;
  /** NOT_FOUND for an unknown alias; the collection stays. */
  dropAlias(alias: string, options?: CallOptions): Promise<void>;
  /** Sorted by alias; only the aliases of `collection` (a name or an alias of it) when given. */
  listAliases(collection: string | null, options?: CallOptions): Promise<AliasInfo[]>;
}
