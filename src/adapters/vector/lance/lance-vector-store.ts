import { Session, connect, type Connection } from '@lancedb/lancedb';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  AliasInfo,
  CallOptions,
  CollectionInfo,
  CollectionSpec,
  CollectionStats,
  FilterNode,
  IndexSpec,
  IndexType,
  ListedRecord,
  Plan,
  ScanRequest,
  SearchHit,
  SearchQuery,
  StoreHealth,
  TextQuery,
  VectorRecord,
  WriteRecord,
  VectorStore,
} from '../../../domain';
import { checkNotCancelled } from '../../../domain';
import { errors } from '../../../errors';
import { LanceAliases } from './lance-aliases';
import { LanceNamespace } from './lance-namespace';
import { baseSchema } from './lance-arrow-rows';
import { LanceActivity } from './lance-activity';
import { LanceCatalog, newTableName, type CatalogEntry } from './lance-catalog';
import { LanceCollection, type CollectionDeps, type EngineStats, type LanceLogger } from './lance-collection';
import { lanceCall } from './lance-errors';
import { LANCE_INDEX_TYPES, checkIndexParams } from './lance-index-mapping';
import { PRUNE_GRACE_MS } from './lance-maintenance';
import { openCatalogedTables } from './lance-recovery';
import { countRecords, scanRecords } from './lance-scan';

export interface LanceStoreOptions {
  /** Root of this store's files: `lance/` (the Lance database) and `catalog/` (one JSON per collection). */
  dataDir: string;
  logger?: LanceLogger;
  /** Rows before an ANN index is trained (default 5000; below it exact search is fast and exact). */
  indexMinRows?: number;
  /** Data commits after which a background optimize runs (default 64). */
  compactEveryCommits?: number;
  /** How long a superseded version's files stay for the searches still reading it (default 10 s; lance-maintenance.ts). */
  pruneGraceMs?: number;
  /** Writes waiting per collection before RESOURCE_EXHAUSTED (default 10000). */
  maxPendingWrites?: number;
  /** Vector floats per coalesced engine write (default 16 Mi, the domain's largest single batch). */
  maxGroupFloats?: number;
  /** Bytes of Lance's metadata cache: manifests, file footers, deletion files (default 64 MiB). */
  metadataCacheBytes?: number;
  /** Bytes of Lance's index cache: loaded ANN/BTREE index parts (default LanceDB's own, 6 GiB). */
  indexCacheBytes?: number;
}

/**
 * LanceDB's default metadata cache is 1 GiB, and every commit adds the new version's manifest,
 * transaction and deletion-file entries (~24 KB per small write, measured) that no later read
 * asks for again; the LRU only evicts at the cap, so a write-heavy service's RSS climbed toward
 * +1 GiB (BENCHMARKS.md "Soak"). 64 MiB holds the current versions' metadata of many tables;
 * stale versions fall out first.
 */
const DEFAULT_METADATA_CACHE_BYTES = 64 * 1024 * 1024;

const silent: LanceLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The embedded VectorStore: LanceDB 0.31 in DATA_DIR, one Lance table per collection. One process
 * owns the directory: the write queues that give coalescing, all-or-nothing inserts and
 * read-your-writes are per process.
 */
export class LanceVectorStore implements VectorStore {
  readonly engine = 'lance';
  readonly supportedIndexTypes: readonly IndexType[] = LANCE_INDEX_TYPES;
  private closed = false;
  /** Create and drop run one at a time, so a name is never half-created twice. */
  private ddl: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dataDir: string,
    private readonly db: Connection,
    private readonly catalog: LanceCatalog,
    /** Collections and aliases: every name a call gives is resolved here (lance-namespace.ts). */
    private readonly names: LanceNamespace,
    private readonly deps: (tableName: string) => CollectionDeps,
    /** Every engine step callers' calls make: where cancellation stops them, and a count tests read. */
    readonly activity: LanceActivity,
  ) {}

  static async open(options: LanceStoreOptions): Promise<LanceVectorStore> {
    const dataDir = resolve(options.dataDir);
    const lanceDir = join(dataDir, 'lance');
    await mkdir(lanceDir, { recursive: true });
    const logger = options.logger ?? silent;
    const catalog = new LanceCatalog(join(dataDir, 'catalog'));
    const activity = new LanceActivity();
    const deps = (tableName: string): CollectionDeps => ({
      catalog,
      activity,
      logger,
      tableDir: join(lanceDir, `${tableName}.lance`),
      maintenance: {
        indexMinRows: options.indexMinRows ?? 5000,
        compactEveryCommits: options.compactEveryCommits ?? 64,
        pruneGraceMs: options.pruneGraceMs ?? PRUNE_GRACE_MS,
      },
      queue: { maxPending: options.maxPendingWrites ?? 10_000, maxGroupFloats: options.maxGroupFloats ?? 16 * 1024 * 1024 },
    });
    // The session must go in the options object: connect(uri, options, session) ignores a third argument.
    const session = new Session(
      options.indexCacheBytes === undefined ? undefined : BigInt(options.indexCacheBytes),
      BigInt(options.metadataCacheBytes ?? DEFAULT_METADATA_CACHE_BYTES),
    );
    const db = await lanceCall({}, () => connect(lanceDir, { session }));
    const collections = await lanceCall({}, () => openCatalogedTables(db, catalog, deps, logger));
    const { aliases, dropped } = await lanceCall({}, () => LanceAliases.load(dataDir, new Set(collections.keys())));
    if (dropped.length > 0) logger.warn({ dropped }, 'aliases naming no collection were left out');
    logger.info({ dataDir, collections: collections.size }, 'lance store opened');
    return new LanceVectorStore(dataDir, db, catalog, new LanceNamespace(collections, aliases), deps, activity);
  }

  /** Writes waiting in all collections' queues (the queue_depth metric). */
  get pendingWrites(): number {
    let n = 0;
    for (const c of this.names.all()) n += c.pendingWrites;
    return n;
  }

  async health(): Promise<StoreHealth> {
    if (this.closed) return { healthy: false, message: 'lance store is closed' };
    try {
      await access(this.dataDir, constants.R_OK | constants.W_OK);
      return { healthy: true, message: `lance ready: ${this.names.size} collections in ${this.dataDir}` };
    } catch (cause) {
      return { healthy: false, message: `data dir not usable: ${cause instanceof Error ? cause.message : String(cause)}` };
    }
  }

  /** Drains every collection's write queue, then closes tables and the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ddl;
    await Promise.all(this.names.all().map((c) => c.close(false)));
    this.names.clear();
    this.db.close();
  }

  async createCollection(spec: CollectionSpec, options?: CallOptions): Promise<CollectionInfo> {
    this.live(options);
    if (spec.index !== null) checkIndexParams(spec.index, spec.dimension);
    return this.exclusive(async () => {
      this.names.checkFree(spec.name);
      const now = Date.now();
      const entry: CatalogEntry = {
        format: 1,
        name: spec.name,
        tableName: newTableName(),
        description: spec.description,
        dimension: spec.dimension,
        metricType: spec.metricType,
        index: spec.index,
        embedding: spec.embedding === null ? null : { ...spec.embedding },
        createdAt: now,
        updatedAt: now,
        filterOverflow: false,
        engineIndexRows: null,
      };
      const table = await lanceCall({ collection: spec.name }, () => this.db.createEmptyTable(entry.tableName, baseSchema(spec.dimension)));
      try {
        const collection = await LanceCollection.open(entry, table, this.deps(entry.tableName));
        await lanceCall({ collection: spec.name }, () => this.catalog.write(entry));
        this.names.add(collection);
        return collection.info();
      } catch (cause) {
        // Without its catalog file the table is an orphan; drop it now rather than at next open.
        await this.db.dropTable(entry.tableName).catch(() => undefined);
        throw cause;
      }
    });
  }

  async dropCollection(name: string, options?: CallOptions): Promise<void> {
    this.live(options);
    return this.exclusive(async () => {
      const collection = this.names.remove(name);
      await collection.close(true);
      const { entry } = collection.state;
      // The catalog file goes first: it is the commit point; a leftover table is dropped at next open.
      await lanceCall({ collection: name }, () => this.catalog.remove(entry));
      await lanceCall({ collection: name }, () => this.db.dropTable(entry.tableName));
    });
  }

  /** The catalog entry's name changes (one atomic file write); the Lance table keeps its generated name. */
  async renameCollection(from: string, to: string, options?: CallOptions): Promise<void> {
    this.live(options);
    return this.exclusive(async () => {
      this.names.checkFree(to);
      const collection = this.names.renamable(from);
      await lanceCall({ collection: from }, () => collection.rename(to));
      this.names.moved(from, collection);
    });
  }

  async hasCollection(name: string, options?: CallOptions): Promise<boolean> {
    this.live(options);
    return this.names.has(name);
  }

  async listCollections(options?: CallOptions): Promise<string[]> {
    this.live(options);
    return this.names.names();
  }

  async getCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    this.live(options);
    return this.get_(name).info();
  }

  async stats(name: string, options?: CallOptions): Promise<CollectionStats> {
    this.live(options);
    return this.get_(name).stats(options?.signal);
  }

  async createIndex(name: string, plan: Plan<IndexSpec>, options?: CallOptions): Promise<void> {
    this.live(options);
    await this.get_(name).createIndex(plan, options?.signal);
  }

  async dropIndex(name: string, options?: CallOptions): Promise<void> {
    this.live(options);
    await this.get_(name).dropIndex(options?.signal);
  }

  async insert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    this.live(options);
    const collection = this.get_(name);
    const records = plan(collection.state.entry);
    if (records.length > 0) await collection.write({ kind: 'insert', records }, options?.signal);
  }

  async upsert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    this.live(options);
    const collection = this.get_(name);
    const records = plan(collection.state.entry);
    if (records.length > 0) await collection.write({ kind: 'upsert', records }, options?.signal);
  }

  async delete(name: string, ids: string[], options?: CallOptions): Promise<void> {
    this.live(options);
    const collection = this.get_(name);
    if (ids.length > 0) await collection.write({ kind: 'delete', ids }, options?.signal);
  }

  async get(name: string, ids: string[], options?: CallOptions): Promise<VectorRecord[]> {
    this.live(options);
    const collection = this.get_(name);
    return ids.length === 0 ? [] : collection.get(ids, options?.signal);
  }

  async search(name: string, plan: Plan<SearchQuery>, options?: CallOptions): Promise<SearchHit[]> {
    this.live(options);
    const collection = this.get_(name);
    return collection.search(plan(collection.state.entry), options?.signal);
  }

  /** BM25 through LanceDB's full-text index (lance-text-search.ts); an unbound collection holds no texts and finds none. */
  async searchText(name: string, plan: Plan<TextQuery>, options?: CallOptions): Promise<SearchHit[]> {
    this.live(options);
    const collection = this.get_(name);
    return collection.searchText(plan(collection.state.entry), options?.signal);
  }

  async compact(name: string, options?: CallOptions): Promise<void> {
    this.live(options);
    await this.get_(name).compact(options?.signal);
  }

  async scan(name: string, plan: Plan<ScanRequest>, options?: CallOptions): Promise<ListedRecord[]> {
    this.live(options);
    const collection = this.get_(name);
    const request = plan(collection.state.entry);
    return lanceCall(collection.readContext, () => scanRecords(collection.state, request, options?.signal));
  }

  async count(name: string, filter: FilterNode | null, options?: CallOptions): Promise<number> {
    this.live(options);
    const collection = this.get_(name);
    return lanceCall(collection.readContext, () => countRecords(collection.state, filter, options?.signal));
  }

  /** Alias changes run one at a time with creates and drops, so the namespace checks hold until the change is saved. */
  async createAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    this.live(options);
    return this.exclusive(() => this.names.createAlias(alias, collection));
  }

  async alterAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    this.live(options);
    return this.exclusive(() => this.names.alterAlias(alias, collection));
  }

  async dropAlias(alias: string, options?: CallOptions): Promise<void> {
    this.live(options);
    return this.exclusive(() => this.names.dropAlias(alias));
  }

  async listAliases(collection: string | null, options?: CallOptions): Promise<AliasInfo[]> {
    this.live(options);
    return this.names.listAliases(collection);
  }

  /** Lance versions and fragments of a collection's table (not part of the port: diagnostics and tests). */
  async engineStats(name: string): Promise<EngineStats> {
    this.live();
    return this.get_(name).engineStats();
  }

  /** The collection a name or an alias names, resolved once per call. */
  private get_(name: string): LanceCollection {
    return this.names.resolve(name);
  }

  private live(options?: CallOptions): void {
    if (this.closed) throw errors.unavailable('the vector store is closed');
    checkNotCancelled(options);
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.ddl.then(run);
    this.ddl = result.catch(() => undefined);
    return result;
  }
}
