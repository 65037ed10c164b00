import { randomUUID } from 'node:crypto';
import { errors } from '../../errors';
import { parseFilter } from '../filter/filter-parser';
import { limits } from '../limits';
import { characterCount } from '../text-rules';
import type { Declaration, VectorStore } from '../ports/vector-store';
import { describeCollection, vectorMessages, type CollectionDetails, type Done, type WriteDone } from './vector-results';
import { prepareListing, type ListVectorsInput, type VectorPage } from './vector-listing';
import type {
  AliasInfo,
  CallOptions,
  CollectionStats,
  Metadata,
  SearchHit,
  StoreHealth,
  VectorRecord,
} from './vector-types';
import {
  checkBatch,
  checkCollectionName,
  checkDimension,
  checkId,
  checkMetadata,
  checkTopK,
  checkVector,
  duplicateIdViolations,
  parseIndex,
  parseMetric,
  type IndexParamsInput,
  type VectorInput,
} from './vector-validation';

export interface CreateCollectionInput {
  name: string;
  description?: string;
  vectorDim: number;
  indexParams?: IndexParamsInput;
}

export interface SearchInput {
  queryVector: number[];
  /**
   * Absent options, or an absent `topK`, mean top 10, no vectors, no filter. A `topK` of 0 is out of
   * range, not absent: gRPC sends 0 for "absent" inside SearchOptions, as proto3 cannot tell them apart.
   */
  options?: { topK?: number; includeVector?: boolean; filter?: Record<string, unknown> | null };
}

/**
 * The 22 VectorService operations, once for both doors: every rule about meaning lives here,
 * the store only executes. Each operation makes exactly one call to the store; rules that need
 * the collection's declaration travel with that call as a Plan (ports/vector-store.ts).
 */
export class VectorService {
  constructor(private readonly store: VectorStore) {}

  async createCollection(input: CreateCollectionInput, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(input.name);
    checkDimension(input.vectorDim);
    const description = input.description ?? '';
    if (characterCount(description) > limits.maxDescriptionLength) {
      throw errors.invalidArgument('description', `at most ${limits.maxDescriptionLength} characters`);
    }
    const metricType = parseMetric(input.indexParams?.metricType, 'COSINE', 'index_params.metric_type');
    const index = parseIndex(input.indexParams, metricType, this.store.supportedIndexTypes, 'index_params');
    checkLive(options);
    await this.store.createCollection({ name: input.name, description, dimension: input.vectorDim, metricType, index }, options);
    return { message: vectorMessages.created(input.name) };
  }

  async dropCollection(name: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name);
    checkLive(options);
    await this.store.dropCollection(name, options);
    return { message: vectorMessages.dropped(name) };
  }

  async hasCollection(name: string, options: CallOptions = {}): Promise<boolean> {
    checkCollectionName(name);
    checkLive(options);
    return this.store.hasCollection(name, options);
  }

  async listCollections(options: CallOptions = {}): Promise<string[]> {
    checkLive(options);
    return this.store.listCollections(options);
  }

  async getCollectionInfo(name: string, options: CallOptions = {}): Promise<CollectionDetails> {
    checkCollectionName(name);
    checkLive(options);
    return describeCollection(await this.store.getCollection(name, options));
  }

  async getCollectionStats(name: string, options: CallOptions = {}): Promise<CollectionStats> {
    checkCollectionName(name);
    checkLive(options);
    return this.store.stats(name, options);
  }

  async createIndex(name: string, params: IndexParamsInput | undefined, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name, 'collection_name');
    checkLive(options);
    const supported = this.store.supportedIndexTypes;
    // An index without a metric keeps the collection's, which only the declaration knows.
    await this.store.createIndex(
      name,
      (declared) => {
        const index = parseIndex(params, declared.metricType, supported, 'index_params');
        if (index === null) throw errors.invalidArgument('index_params.index_type', `required; supported: ${supported.join(', ')}`);
        return index;
      },
      options,
    );
    return { message: vectorMessages.indexBuilt(name) };
  }

  async dropIndex(name: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name, 'collection_name');
    checkLive(options);
    await this.store.dropIndex(name, options);
    return { message: vectorMessages.indexDropped(name) };
  }

  async hasIndex(name: string, options: CallOptions = {}): Promise<boolean> {
    checkCollectionName(name, 'collection_name');
    checkLive(options);
    return (await this.store.getCollection(name, options)).index !== null;
  }

  /** Generates ids for empty ones and returns every id in input order. */
  async insert(name: string, vectors: VectorInput[], options: CallOptions = {}): Promise<WriteDone> {
    checkCollectionName(name, 'collection_name');
    checkLive(options);
    let records: VectorRecord[] = [];
    await this.store.insert(name, (declared) => (records = prepareRecords(declared, vectors, true)), options);
    return { ids: records.map((r) => r.id), message: vectorMessages.inserted(records.length) };
  }

  async upsert(name: string, vectors: VectorInput[], options: CallOptions = {}): Promise<WriteDone> {
    checkCollectionName(name, 'collection_name');
    checkLive(options);
    let records: VectorRecord[] = [];
    await this.store.upsert(name, (declared) => (records = prepareRecords(declared, vectors, false)), options);
    return { ids: records.map((r) => r.id), message: vectorMessages.upserted(records.length) };
  }

  async delete(name: string, ids: string[], options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name, 'collection_name');
    checkBatch(ids.length, 0, 'ids');
    ids.forEach((id, i) => checkId(id, `ids[${i}]`));
    checkLive(options);
    await this.store.delete(name, [...new Set(ids)], options);
    return { message: vectorMessages.deleted(new Set(ids).size) };
  }

  async search(name: string, input: SearchInput, options: CallOptions = {}): Promise<SearchHit[]> {
    checkCollectionName(name, 'collection_name');
    const topK = input.options?.topK ?? limits.defaultTopK;
    checkTopK(topK, 'options.topk');
    const filter = parseFilter(input.options?.filter ?? null);
    checkLive(options);
    const query = { vector: input.queryVector, topK, includeVector: input.options?.includeVector ?? false, filter };
    return this.store.search(
      name,
      (declared) => {
        checkVector(query.vector, declared.dimension, declared.metricType, 'query_vector');
        return query;
      },
      options,
    );
  }

  async getById(name: string, id: string, options: CallOptions = {}): Promise<VectorRecord> {
    checkCollectionName(name, 'collection_name');
    checkId(id, 'id');
    checkLive(options);
    const [found] = await this.store.get(name, [id], options);
    if (!found) throw errors.vectorNotFound(name, id);
    return found;
  }

  async health(options: CallOptions = {}): Promise<StoreHealth> {
    return this.store.health(options);
  }

  async compact(name: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name, 'collection_name');
    checkLive(options);
    await this.store.compact(name, options);
    return { message: vectorMessages.compacted(name) };
  }

  /** One page of the collection's records in ascending id order (vector-listing.ts, page-token.ts). */
  async listVectors(name: string, input: ListVectorsInput, options: CallOptions = {}): Promise<VectorPage> {
    checkCollectionName(name, 'collection_name');
    const listing = prepareListing(input);
    checkLive(options);
    return listing.page(await this.store.scan(name, listing.plan, options));
  }

  /** The exact number of records matching the filter (all of them without one). */
  async countVectors(name: string, filter: Record<string, unknown> | null | undefined, options: CallOptions = {}): Promise<number> {
    checkCollectionName(name, 'collection_name');
    const parsed = parseFilter(filter ?? null, 'filter');
    checkLive(options);
    return this.store.count(name, parsed, options);
  }

  async createAlias(alias: string, collection: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(alias, 'alias');
    checkCollectionName(collection, 'collection_name');
    checkLive(options);
    await this.store.createAlias(alias, collection, options);
    return { message: vectorMessages.aliasCreated(alias, collection) };
  }

  /** The atomic switch: a call through the alias runs wholly on the old collection or wholly on the new one. */
  async alterAlias(alias: string, collection: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(alias, 'alias');
    checkCollectionName(collection, 'collection_name');
    checkLive(options);
    await this.store.alterAlias(alias, collection, options);
    return { message: vectorMessages.aliasAltered(alias, collection) };
  }

  async dropAlias(alias: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(alias, 'alias');
    checkLive(options);
    await this.store.dropAlias(alias, options);
    return { message: vectorMessages.aliasDropped(alias) };
  }

  /** Every alias, or ('' and absent mean all) those naming one collection; sorted by alias. */
  async listAliases(collection: string | undefined, options: CallOptions = {}): Promise<AliasInfo[]> {
    const only = collection === undefined || collection === '' ? null : collection;
    if (only !== null) checkCollectionName(only, 'collection_name');
    checkLive(options);
    return this.store.listAliases(only, options);
  }
}

/**
 * A write's records, checked against the declaration (dimension, the batch's floats, COSINE's
 * zero vector) in the store's trip; empty ids get generated ones when `generateIds`.
 */
function prepareRecords(declared: Declaration, vectors: VectorInput[], generateIds: boolean): VectorRecord[] {
  checkBatch(vectors.length, vectors.length * declared.dimension, 'vectors');
  const duplicates = duplicateIdViolations(vectors.map((v) => v.id ?? ''), 'vectors');
  if (duplicates.length > 0) throw errors.invalidArguments(duplicates);
  return vectors.map((v, i) => {
    const id = v.id ?? '';
    if (id !== '' || !generateIds) checkId(id, `vectors[${i}].id`);
    checkVector(v.vector, declared.dimension, declared.metricType, `vectors[${i}].vector`);
    const metadata: Metadata = v.metadata ?? {};
    checkMetadata(metadata, `vectors[${i}].metadata`);
    return { id: id === '' ? randomUUID() : id, vector: v.vector, metadata };
  });
}

/** A call whose caller already left is not started. */
function checkLive(options: CallOptions): void {
  if (options.signal?.aborted) throw errors.cancelled();
}
