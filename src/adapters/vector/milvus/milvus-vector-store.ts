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
import { checkNotCancelled, untilAborted } from '../../../domain';
import { errors, isDomainError } from '../../../errors';
import { MilvusAliases } from './milvus-aliases';
import { collectionFields, creationProperties, indexProperties, isDuplicateCreate, toCollectionInfo, updatedAtProperty } from './milvus-catalog';
import { MilvusConnection, type MilvusLogger } from './milvus-connection';
import { DeclarationCache } from './milvus-declarations';
import { checkStatus, fullTextUnsupported, type EngineStatus } from './milvus-errors';
import { MILVUS_INDEX_TYPES, checkIndexParams, engineIndexFor } from './milvus-index-mapping';
import { MilvusLoader } from './milvus-loader';
import { compactCollection } from './milvus-maintenance';
import { MilvusReads } from './milvus-reads';
import { UpdatedAtTracker } from './milvus-updated-at';
import { MilvusWrites } from './milvus-writes';

export interface MilvusStoreOptions {
  /** host:port of the Milvus proxy. */
  address: string;
  tls?: boolean;
  token?: string;
  username?: string;
  password?: string;
  database?: string;
  /** Bound of one engine call when the caller's deadline does not end it first (default 30 s). */
  timeoutMs?: number;
  /** Bound of a load, an index build or a compaction wait without a caller deadline (default 10 min). */
  longWaitMs?: number;
  /**
   * How long a collection's declaration is reused by later calls of this process (default 1 s; 0
   * describes on every call): another replica's drop, re-create, index or alias change is seen
   * within it (milvus-declarations.ts).
   */
  declarationTtlMs?: number;
  logger?: MilvusLogger;
}

const silent: MilvusLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The VectorStore on a Milvus server (standalone or cluster), shared by any number of service
 * replicas: one Milvus collection per collection (milvus-catalog.ts), Strong reads, the filter AST
 * compiled by milvus-filter-compiler.ts. The service starts even while Milvus is away: health
 * reports it, calls fail UNAVAILABLE, and the connection comes back by itself.
 */
export class MilvusVectorStore implements VectorStore {
  readonly engine = 'milvus';
  readonly supportedIndexTypes: readonly IndexType[] = MILVUS_INDEX_TYPES;
  private closed = false;
  private readonly conn: MilvusConnection;
  private readonly loader: MilvusLoader;
  private readonly reads: MilvusReads;
  private readonly writes: MilvusWrites;
  private readonly updatedAt: UpdatedAtTracker;
  private readonly aliases: MilvusAliases;
  private readonly declarations: DeclarationCache;

  constructor(private readonly options: MilvusStoreOptions) {
    const logger = options.logger ?? silent;
    this.conn = new MilvusConnection({
      address: options.address,
      tls: options.tls ?? false,
      token: options.token ?? '',
      username: options.username ?? '',
      password: options.password ?? '',
      database: options.database ?? 'default',
      timeoutMs: options.timeoutMs ?? 30_000,
      logger,
    });
    this.loader = new MilvusLoader(this.conn, options.longWaitMs ?? 600_000);
    this.aliases = new MilvusAliases(this.conn);
    this.declarations = new DeclarationCache(options.declarationTtlMs ?? 1_000);
    this.reads = new MilvusReads(this.conn, this.loader, (name, signal) => this.describe(name, signal));
    this.writes = new MilvusWrites(this.conn, this.reads, logger);
    this.updatedAt = new UpdatedAtTracker((name, at) => this.setProperties(name, updatedAtProperty(at), undefined), logger);
  }

  async health(options?: CallOptions): Promise<StoreHealth> {
    if (this.closed) return { healthy: false, message: 'milvus store is closed' };
    return this.conn.health(options?.signal);
  }

  /** Saves pending updated_at values, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.updatedAt.flush();
    this.closed = true;
    await this.conn.close();
  }

  async createCollection(spec: CollectionSpec, options?: CallOptions): Promise<CollectionInfo> {
    const signal = this.live(options);
    if (spec.index !== null) checkIndexParams(spec.index, spec.dimension);
    const { name } = spec;
    const context = { collection: name };
    this.declarations.clear();
    if (await this.hasCollection(name, options)) {
      const taken = await this.aliases.describeRaw(name, signal);
      throw taken.aliases.includes(name) ? errors.nameTaken(name, 'alias') : errors.collectionExists(name);
    }
    await this.conn.call(context, signal, async (c, timeout) => {
      const request = { collection_name: name, fields: collectionFields(spec), description: spec.description, consistency_level: 'Strong', properties: creationProperties(spec), timeout };
      // The SDK throws some failed statuses and returns others. A concurrent create of the same
      // name (another replica) is refused, as it differs in its creation property.
      const res: unknown = await c.createCollection(request).catch((cause: unknown) => cause);
      if (isDuplicateCreate(res)) throw errors.collectionExists(name);
      if (res instanceof Error) throw res;
      checkStatus(res as EngineStatus, context);
    });
    this.updatedAt.forget(name);
    try {
      await this.loader.createEngineIndex(name, engineIndexFor(spec.index, spec.metricType, spec.dimension), signal);
      await this.loader.load(name, signal);
      return await this.describe(name, signal);
    } catch (cause) {
      // CreateCollection is all or nothing: a collection that cannot serve is not left behind.
      await this.conn.call(context, undefined, (c, timeout) => c.dropCollection({ collection_name: name, timeout })).catch(() => undefined);
      throw cause;
    } finally {
      this.declarations.clear();
    }
  }

  async dropCollection(name: string, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    const context = { collection: name };
    // Milvus answers Success for an unknown name (the contract says NOT_FOUND), and 2.3 drops a
    // collection an alias names, leaving the alias dangling.
    const { aliases } = await this.aliases.describeRaw(name, signal);
    if (aliases.includes(name)) throw errors.dropThroughAlias(name);
    if (aliases.length > 0) throw errors.collectionHasAliases(name, [...aliases].sort());
    try {
      checkStatus(await this.conn.call(context, signal, (c, timeout) => c.dropCollection({ collection_name: name, timeout })), context);
    } finally {
      this.declarations.clear();
    }
    this.updatedAt.forget(name);
    this.writes.forget(name);
  }

  /** Milvus's RenameCollection keeps the collection's id, so its data, index, load state and properties. */
  async renameCollection(from: string, to: string, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    const context = { collection: from };
    const { aliases } = await this.aliases.describeRaw(from, signal);
    if (aliases.includes(from)) throw errors.dropThroughAlias(from);
    if (aliases.length > 0) throw errors.collectionHasAliases(from, [...aliases].sort());
    if (await this.hasCollection(to, options)) {
      const taken = await this.aliases.describeRaw(to, signal);
      throw taken.aliases.includes(to) ? errors.nameTaken(to, 'alias') : errors.collectionExists(to);
    }
    checkStatus(await this.conn.call(context, signal, (c, timeout) => c.renameCollection({ collection_name: from, new_collection_name: to, timeout })), context);
    for (const name of [from, to]) {
      this.updatedAt.forget(name);
      this.writes.forget(name);
    }
  }

  async hasCollection(name: string, options?: CallOptions): Promise<boolean> {
    return this.loader.exists(name, this.live(options));
  }

  /** Every collection of the configured database (give the service a database of its own). */
  async listCollections(options?: CallOptions): Promise<string[]> {
    const signal = this.live(options);
    const res = await this.conn.call({}, signal, (c, timeout) => c.showCollections({ timeout }));
    checkStatus(res.status);
    return res.data.map((c) => c.name).sort();
  }

  async getCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    return this.describe(name, this.live(options));
  }

  /** size_in_bytes: Milvus 2.3 reports no per-collection size, so this is the raw float32 vector data. */
  async stats(name: string, options?: CallOptions): Promise<CollectionStats> {
    const signal = this.live(options);
    const info = await this.describe(name, signal);
    const vectorCount = await this.reads.count(info.name, null, signal);
    return { name: info.name, vectorCount, sizeInBytes: vectorCount * info.dimension * 4 };
  }

  /**
   * Declares the index (and so the collection's metric), then swaps the engine index, waits for
   * Milvus to build it over every sealed row and reloads (milvus-loader.ts replaceIndex).
   */
  async createIndex(name: string, plan: Plan<IndexSpec>, options?: CallOptions): Promise<void> {
    try {
      await this.changeIndex(name, plan, options);
    } finally {
      this.declarations.clear();
    }
  }

  private async changeIndex(name: string, plan: Plan<IndexSpec>, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    const before = await this.describe(name, signal);
    const index = plan(before);
    checkIndexParams(index, before.dimension);
    const target = before.name;
    // The declaration goes first: should the swap stop half-way, reads rebuild what it declares.
    await this.setProperties(target, indexProperties(index, index.metricType, this.updatedAt.touch(target, false)), signal);
    this.declarations.clear();
    try {
      await this.loader.replaceIndex(target, engineIndexFor(index, index.metricType, before.dimension), signal);
    } catch (cause) {
      if (isDomainError(cause) && cause.code === 'INVALID_ARGUMENT') {
        // Milvus refused the parameters: put the previous declaration and index back.
        await this.setProperties(target, indexProperties(before.index, before.metricType, this.updatedAt.touch(target, false)), undefined);
        await this.loader.replaceIndex(target, engineIndexFor(before.index, before.metricType, before.dimension), undefined);
      }
      throw cause;
    }
  }

  /** Removes the declaration; the engine keeps an exact FLAT index with the collection's metric. */
  async dropIndex(name: string, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    const before = await this.describe(name, signal);
    if (before.index === null) return;
    const target = before.name;
    try {
      await this.setProperties(target, indexProperties(null, before.metricType, this.updatedAt.touch(target, false)), signal);
      this.declarations.clear();
      await this.loader.replaceIndex(target, engineIndexFor(null, before.metricType, before.dimension), signal);
    } finally {
      this.declarations.clear();
    }
  }

  /** The declaration (NOT_FOUND, a collection not ours, the plan's checks), then the writes. */
  async insert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    await this.withDeclaration(name, signal, async (info) => {
      const records = plan(info);
      if (records.length === 0) return;
      await this.writes.insert(info, records, signal);
      this.updatedAt.touch(info.name);
    });
  }

  async upsert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    await this.withDeclaration(name, signal, async (info) => {
      const records = plan(info);
      if (records.length === 0) return;
      await this.writes.upsert(info, records, signal);
      this.updatedAt.touch(info.name);
    });
  }

  /** The declaration makes an unknown collection NOT_FOUND and keeps deletes out of collections this service did not create. */
  async delete(name: string, ids: string[], options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    await this.withDeclaration(name, signal, async ({ name: target }) => {
      if (ids.length === 0) return;
      await this.writes.delete(target, ids, signal);
      this.updatedAt.touch(target);
    });
  }

  async get(name: string, ids: string[], options?: CallOptions): Promise<VectorRecord[]> {
    const signal = this.live(options);
    if (ids.length === 0) {
      await this.describe(name, signal);
      return [];
    }
    return this.reads.get(name, ids, signal);
  }

  /** The declaration (the metric and index tuning the search must name, and the plan's checks), then the search: one RPC while the declaration is cached. */
  async search(name: string, plan: Plan<SearchQuery>, options?: CallOptions): Promise<SearchHit[]> {
    const signal = this.live(options);
    // Milvus searches an empty collection without checking the vector's dimension, so no hits on a
    // cached declaration are checked against a fresh one (a re-created collection's plan may refuse).
    return this.withDeclaration(name, signal, (info) => this.reads.search(info, plan(info), signal), (hits) => hits.length === 0);
  }

  /**
   * Resolved and planned like a search (NOT_FOUND, aliases, the plan's checks), then refused:
   * Milvus 2.3 has no BM25, and this adapter does not use 2.5's (milvus-errors.ts fullTextUnsupported).
   */
  async searchText(name: string, plan: Plan<TextQuery>, options?: CallOptions): Promise<SearchHit[]> {
    const signal = this.live(options);
    await this.withDeclaration(name, signal, async (info) => plan(info));
    throw fullTextUnsupported(await this.conn.serverVersion(signal));
  }

  async compact(name: string, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    const { name: target } = await this.describe(name, signal);
    await compactCollection(this.conn, target, signal, this.options.longWaitMs ?? 600_000);
  }

  /** The declaration (NOT_FOUND, a collection not ours, the plan's checks), then one query. */
  async scan(name: string, plan: Plan<ScanRequest>, options?: CallOptions): Promise<ListedRecord[]> {
    const signal = this.live(options);
    return this.withDeclaration(name, signal, (info) => this.reads.scan(info, plan(info), signal));
  }

  async count(name: string, filter: FilterNode | null, options?: CallOptions): Promise<number> {
    const signal = this.live(options);
    return this.withDeclaration(name, signal, (info) => this.reads.count(info.name, filter, signal));
  }

  async createAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    await this.aliases.create(alias, collection, signal).finally(() => this.declarations.clear());
  }

  async alterAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    await this.aliases.alter(alias, collection, signal).finally(() => this.declarations.clear());
  }

  async dropAlias(alias: string, options?: CallOptions): Promise<void> {
    const signal = this.live(options);
    await this.aliases.drop(alias, signal).finally(() => this.declarations.clear());
  }

  async listAliases(collection: string | null, options?: CallOptions): Promise<AliasInfo[]> {
    return this.aliases.list(collection, this.live(options));
  }

  /**
   * Runs `work` on the declaration of `name`, from the cache when it holds one. A failure on a
   * cached declaration may be its staleness (another replica dropped, re-created or re-indexed the
   * collection, or moved the alias, within the cache's TTL): a refusal by the plan's checks, Milvus
   * answering "collection not found" or refusing the metric, dimension or parameters. So the call runs
   * once more on a fresh describe, whose answer stands. Failures that say nothing about the
   * declaration (the engine unreachable or busy, the caller gone) are not run again. Every call
   * run this way is safe to repeat: reads, Upsert, Delete, and Insert, which writes nothing when it
   * fails (milvus-writes.ts).
   */
  private async withDeclaration<T>(
    name: string,
    signal: AbortSignal | undefined,
    work: (info: CollectionInfo) => Promise<T>,
    /** An answer that a stale declaration could give without an error from Milvus: checked against a fresh describe. */
    suspect: (result: T) => boolean = () => false,
  ): Promise<T> {
    // The describe is shared by the callers that miss together, so no one caller's signal ends it.
    const first = this.declarations.get(name, () => this.describe(name, undefined));
    const declared = await untilAborted(first.info, signal);
    if (!first.cached) return work(declared);
    const again = async (): Promise<CollectionInfo> => {
      this.declarations.forget(name);
      return untilAborted(this.declarations.get(name, () => this.describe(name, undefined)).info, signal);
    };
    let result: T;
    try {
      result = await work(declared);
    } catch (cause) {
      if (!mayBeStale(cause)) throw cause;
      return work(await again());
    }
    if (!suspect(result)) return result;
    const fresh = await again();
    return sameDeclaration(declared, fresh) ? result : work(fresh);
  }

  /** The declaration of the collection `name` names (through an alias: the target's, under the target's name). */
  private async describe(name: string, signal: AbortSignal | undefined): Promise<CollectionInfo> {
    const resolved = await this.aliases.describeResolved(name, signal);
    const info = toCollectionInfo(resolved.described, resolved.name);
    return { ...info, updatedAt: this.updatedAt.merge(resolved.name, info.createdAt, info.updatedAt) };
  }

  private async setProperties(name: string, properties: Record<string, string>, signal: AbortSignal | undefined): Promise<void> {
    const context = { collection: name };
    checkStatus(await this.conn.call(context, signal, (c, timeout) => c.alterCollectionProperties({ collection_name: name, properties, timeout })), context);
  }

  private live(options?: CallOptions): AbortSignal | undefined {
    if (this.closed) throw errors.unavailable('the vector store is closed');
    checkNotCancelled(options);
    return options?.signal;
  }
}

/** Codes that say nothing about the declaration: the engine unreachable or busy, or the caller gone. */
const NOT_ABOUT_THE_DECLARATION = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'CANCELLED']);

function mayBeStale(cause: unknown): boolean {
  return !isDomainError(cause) || !NOT_ABOUT_THE_DECLARATION.has(cause.code);
}

/** The same collection (Milvus's creation time) with the same declaration. */
function sameDeclaration(a: CollectionInfo, b: CollectionInfo): boolean {
  return (
    a.name === b.name &&
    a.createdAt === b.createdAt &&
    a.dimension === b.dimension &&
    a.metricType === b.metricType &&
    JSON.stringify(a.index) === JSON.stringify(b.index) &&
    JSON.stringify(a.embedding) === JSON.stringify(b.embedding)
  );
}
