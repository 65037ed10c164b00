import type {
  AliasInfo,
  CallOptions,
  CollectionInfo,
  CollectionSpec,
  CollectionStats,
  IndexSpec,
  FilterNode,
  IndexType,
  ListedRecord,
  Plan,
  ScanRequest,
  SearchHit,
  SearchQuery,
  TextQuery,
  StoreHealth,
  VectorRecord,
  WriteRecord,
  VectorStore,
} from '../domain';
import { cached } from './cached';
import type { HistogramSeries, SeriesHistogram } from './series-histogram';

/** The VectorStore methods that reach the engine; `close` is not a call worth timing. */
export type StoreOperation = Exclude<{ [K in keyof VectorStore]: VectorStore[K] extends (...args: never[]) => unknown ? K : never }[keyof VectorStore], 'close'>;

/**
 * A VectorStore that observes how long each engine call takes (successful or not) in a histogram
 * labelled {engine, operation}; otherwise it passes every call through unchanged. Decorating the
 * port keeps timing out of both adapters and works the same for any engine. A call's Plan (the
 * domain's checks against the declaration) runs inside the timed trip; it is pure and takes
 * microseconds per vector, next to the engine's milliseconds.
 */
export class TimedVectorStore implements VectorStore {
  readonly engine: string;
  readonly supportedIndexTypes: readonly IndexType[];
  /** One labelled child per operation, made on first use: the hot path is one map lookup. */
  private readonly children = new Map<StoreOperation, HistogramSeries>();

  constructor(
    private readonly inner: VectorStore,
    private readonly seconds: SeriesHistogram<'engine' | 'operation'>,
  ) {
    this.engine = inner.engine;
    this.supportedIndexTypes = inner.supportedIndexTypes;
  }

  health(options?: CallOptions): Promise<StoreHealth> {
    return this.time('health', () => this.inner.health(options));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  createCollection(spec: CollectionSpec, options?: CallOptions): Promise<CollectionInfo> {
    return this.time('createCollection', () => this.inner.createCollection(spec, options));
  }

  dropCollection(name: string, options?: CallOptions): Promise<void> {
    return this.time('dropCollection', () => this.inner.dropCollection(name, options));
  }

  renameCollection(from: string, to: string, options?: CallOptions): Promise<void> {
    return this.time('renameCollection', () => this.inner.renameCollection(from, to, options));
  }

  hasCollection(name: string, options?: CallOptions): Promise<boolean> {
    return this.time('hasCollection', () => this.inner.hasCollection(name, options));
  }

  listCollections(options?: CallOptions): Promise<string[]> {
    return this.time('listCollections', () => this.inner.listCollections(options));
  }

  getCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    return this.time('getCollection', () => this.inner.getCollection(name, options));
  }

  stats(name: string, options?: CallOptions): Promise<CollectionStats> {
    return this.time('stats', () => this.inner.stats(name, options));
  }

  createIndex(name: string, plan: Plan<IndexSpec>, options?: CallOptions): Promise<void> {
    return this.time('createIndex', () => this.inner.createIndex(name, plan, options));
  }

  dropIndex(name: string, options?: CallOptions): Promise<void> {
    return this.time('dropIndex', () => this.inner.dropIndex(name, options));
  }

  insert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    return this.time('insert', () => this.inner.insert(name, plan, options));
  }

  upsert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    return this.time('upsert', () => this.inner.upsert(name, plan, options));
  }

  delete(name: string, ids: string[], options?: CallOptions): Promise<void> {
    return this.time('delete', () => this.inner.delete(name, ids, options));
  }

  get(name: string, ids: string[], options?: CallOptions): Promise<VectorRecord[]> {
    return this.time('get', () => this.inner.get(name, ids, options));
  }

  search(name: string, plan: Plan<SearchQuery>, options?: CallOptions): Promise<SearchHit[]> {
    return this.time('search', () => this.inner.search(name, plan, options));
  }

  searchText(name: string, plan: Plan<TextQuery>, options?: CallOptions): Promise<SearchHit[]> {
    return this.time('searchText', () => this.inner.searchText(name, plan, options));
  }

  compact(name: string, options?: CallOptions): Promise<void> {
    return this.time('compact', () => this.inner.compact(name, options));
  }

  scan(name: string, plan: Plan<ScanRequest>, options?: CallOptions): Promise<ListedRecord[]> {
    return this.time('scan', () => this.inner.scan(name, plan, options));
  }

  count(name: string, filter: FilterNode | null, options?: CallOptions): Promise<number> {
    return this.time('count', () => this.inner.count(name, filter, options));
  }

  createAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    return this.time('createAlias', () => this.inner.createAlias(alias, collection, options));
  }

  alterAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    return this.time('alterAlias', () => this.inner.alterAlias(alias, collection, options));
  }

  dropAlias(alias: string, options?: CallOptions): Promise<void> {
    return this.time('dropAlias', () => this.inner.dropAlias(alias, options));
  }

  listAliases(collection: string | null, options?: CallOptions): Promise<AliasInfo[]> {
    return this.time('listAliases', () => this.inner.listAliases(collection, options));
  }

  private async time<T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.child(operation).observe((performance.now() - started) / 1000);
    }
  }

  private child(operation: StoreOperation): HistogramSeries {
    return cached(this.children, operation, () => this.seconds.series(this.engine, operation));
  }
}
