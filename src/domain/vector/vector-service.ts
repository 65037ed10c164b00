import { randomUUID } from 'node:crypto';
import { errors } from '../../errors';
import { checkNotCancelled } from '../abort-signals';
import { parseFilter } from '../filter/filter-parser';
import { limits } from '../limits';
import { characterCount } from '../text-rules';
import type { Declaration, VectorStore } from '../ports/vector-store';
import { noTextModels, type TextModels } from './text-models';
import { applyRerank, candidateTexts, checkStoredText, fuseByRank, parseSearch } from './text-search';
import { describeCollection, vectorMessages, type CollectionDetails, type Done, type WriteDone } from './vector-results';
import { prepareListing, type ListVectorsInput, type VectorPage } from './vector-listing';
import type {
  AliasInfo,
  CallOptions,
  CollectionStats,
  EmbeddingBinding,
  Metadata,
  SearchHit,
  StoreHealth,
  VectorRecord,
  WriteRecord,
} from './vector-types';
import {
  checkBatch,
  checkCollectionName,
  checkDimension,
  checkId,
  checkTopK,
  checkVector,
  duplicateIdViolations,
  idProblem,
  metadataProblem,
  parseIndex,
  parseMetric,
  raise,
  vectorProblem,
  type IndexParamsInput,
  type Problem,
  type VectorInput,
} from './vector-validation';

export interface CreateCollectionInput {
  name: string;
  description?: string;
  vectorDim: number;
  indexParams?: IndexParamsInput;
  /** A registered embedding model to bind the collection to; '' or absent: none. */
  embeddingModel?: string;
}

export interface SearchInput {
  queryVector: number[];
  /** A text query ('' or absent: none); exclusive with queryVector. */
  queryText?: string;
  /**
   * Absent options, or an absent `topK`, mean top 10, no vectors, no filter. A `topK` of 0 is out of
   * range, not absent: gRPC sends 0 for "absent" inside SearchOptions, as proto3 cannot tell them apart.
   */
  options?: {
    topK?: number;
    includeVector?: boolean;
    filter?: Record<string, unknown> | null;
    /** 'vector' (default), 'text' or 'hybrid'. */
    mode?: string;
    rrfK?: number;
    rerank?: { model?: string; candidates?: number } | null;
  };
}

/**
 * The 22 VectorService operations, once for both doors: every rule about meaning lives here,
 * the store only executes. Each operation makes exactly one call to the store; rules that need
 * the collection's declaration travel with that call as a Plan (ports/vector-store.ts).
 */
export class VectorService {
  constructor(
    private readonly store: VectorStore,
    private readonly models: TextModels = noTextModels,
  ) {}

  async createCollection(input: CreateCollectionInput, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(input.name);
    const bound = input.embeddingModel !== undefined && input.embeddingModel !== '';
    if (!bound || input.vectorDim !== 0) checkDimension(input.vectorDim);
    const description = input.description ?? '';
    if (characterCount(description) > limits.maxDescriptionLength) {
      throw errors.invalidArgument('description', `at most ${limits.maxDescriptionLength} characters`);
    }
    const metricType = parseMetric(input.indexParams?.metricType, 'COSINE', 'index_params.metric_type');
    const index = parseIndex(input.indexParams, metricType, this.store.supportedIndexTypes, 'index_params');
    checkNotCancelled(options);
    const embedding = bound ? await this.models.bind(input.embeddingModel!, 'embedding_model', options) : null;
    if (embedding && input.vectorDim !== 0 && input.vectorDim !== embedding.dimension) {
      throw errors.invalidArgument('vector_dim', `must be 0 or ${embedding.dimension}, the dimension of embedding model '${embedding.model}'`);
    }
    const dimension = embedding?.dimension ?? input.vectorDim;
    await this.store.createCollection({ name: input.name, description, dimension, metricType, index, embedding }, options);
    return { message: vectorMessages.created(input.name) };
  }

  async dropCollection(name: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name);
    checkNotCancelled(options);
    await this.store.dropCollection(name, options);
    return { message: vectorMessages.dropped(name) };
  }

  async hasCollection(name: string, options: CallOptions = {}): Promise<boolean> {
    checkCollectionName(name);
    checkNotCancelled(options);
    return this.store.hasCollection(name, options);
  }

  async listCollections(options: CallOptions = {}): Promise<string[]> {
    checkNotCancelled(options);
    return this.store.listCollections(options);
  }

  async getCollectionInfo(name: string, options: CallOptions = {}): Promise<CollectionDetails> {
    checkCollectionName(name);
    checkNotCancelled(options);
    return describeCollection(await this.store.getCollection(name, options));
  }

  async getCollectionStats(name: string, options: CallOptions = {}): Promise<CollectionStats> {
    checkCollectionName(name);
    checkNotCancelled(options);
    return this.store.stats(name, options);
  }

  async createIndex(name: string, params: IndexParamsInput | undefined, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name, 'collection_name');
    checkNotCancelled(options);
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
    checkNotCancelled(options);
    await this.store.dropIndex(name, options);
    return { message: vectorMessages.indexDropped(name) };
  }

  async hasIndex(name: string, options: CallOptions = {}): Promise<boolean> {
    checkCollectionName(name, 'collection_name');
    checkNotCancelled(options);
    return (await this.store.getCollection(name, options)).index !== null;
  }

  /** Generates ids for empty ones and returns every id in input order. */
  async insert(name: string, vectors: VectorInput[], options: CallOptions = {}): Promise<WriteDone> {
    const records = await this.write('insert', name, vectors, options);
    return { ids: records.map((r) => r.id), message: vectorMessages.inserted(records.length) };
  }

  async upsert(name: string, vectors: VectorInput[], options: CallOptions = {}): Promise<WriteDone> {
    const records = await this.write('upsert', name, vectors, options);
    return { ids: records.map((r) => r.id), message: vectorMessages.upserted(records.length) };
  }

  /**
   * One trip when every record carries its vector. Records with text and no vector are embedded
   * first: the store is asked for the collection's binding (a first trip), the texts go to the
   * bound model, and the write's plan checks the collection is still the one whose binding was
   * used, so a collection dropped and re-created meanwhile never receives vectors of another model.
   */
  private async write(kind: 'insert' | 'upsert', name: string, vectors: VectorInput[], options: CallOptions): Promise<WriteRecord[]> {
    checkCollectionName(name, 'collection_name');
    checkNotCancelled(options);
    const toEmbed = vectors.flatMap((v, i) => ((v.vector ?? []).length === 0 && v.text !== undefined && v.text !== '' ? [i] : []));
    let inputs = vectors;
    let embeddedWith: Declaration | null = null;
    if (toEmbed.length > 0) {
      checkBatch(vectors.length, 0, 'vectors');
      toEmbed.forEach((i) => checkStoredText(vectors[i]!.text!, `vectors[${i}].text`));
      embeddedWith = await this.store.getCollection(name, options);
      const binding = embeddedWith.embedding;
      if (binding === null) throw errors.invalidArgument(`vectors[${toEmbed[0]}].text`, notBound(name));
      const embedded = await this.models.embed(binding, toEmbed.map((i) => vectors[i]!.text!), options);
      inputs = vectors.slice();
      toEmbed.forEach((i, j) => (inputs[i] = { ...vectors[i]!, vector: embedded[j]! }));
    }
    let records: WriteRecord[] = [];
    await this.store[kind](
      name,
      (declared) => {
        if (embeddedWith) checkSameBinding(declared, embeddedWith);
        return (records = prepareRecords(declared, inputs, kind === 'insert'));
      },
      options,
    );
    return records;
  }

  async delete(name: string, ids: string[], options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name, 'collection_name');
    checkBatch(ids.length, 0, 'ids');
    ids.forEach((id, i) => checkId(id, `ids[${i}]`));
    checkNotCancelled(options);
    await this.store.delete(name, [...new Set(ids)], options);
    return { message: vectorMessages.deleted(new Set(ids).size) };
  }

  /**
   * By vector (the query's own, or query_text embedded with the bound model), by text (BM25), or
   * both fused by Reciprocal Rank Fusion; then optionally reranked. A vector search is one trip; a
   * text query to embed first reads the binding (one more), and hybrid runs the two rankings side
   * by side (text-search.ts holds the rules).
   */
  async search(name: string, input: SearchInput, options: CallOptions = {}): Promise<SearchHit[]> {
    checkCollectionName(name, 'collection_name');
    const topK = input.options?.topK ?? limits.defaultTopK;
    checkTopK(topK, 'options.topk');
    const filter = parseFilter(input.options?.filter ?? null);
    const opts = input.options;
    const search = parseSearch({ queryVector: input.queryVector, queryText: input.queryText ?? '', mode: opts?.mode, rrfK: opts?.rrfK, rerank: opts?.rerank, topK });
    const includeVector = opts?.includeVector ?? false;
    checkNotCancelled(options);

    let vector = input.queryVector;
    let embeddedWith: Declaration | null = null;
    if (search.text !== '' && search.mode !== 'text') {
      embeddedWith = await this.store.getCollection(name, options);
      if (embeddedWith.embedding === null) throw errors.invalidArgument('query_text', notBound(name));
      vector = (await this.models.embed(embeddedWith.embedding, [search.text], options))[0]!;
    }
    const byVector = () =>
      this.store.search(
        name,
        (declared) => {
          if (embeddedWith) checkSameBinding(declared, embeddedWith);
          checkVector(vector, declared.dimension, declared.metricType, 'query_vector');
          return { vector, topK: search.depth, includeVector, filter };
        },
        options,
      );
    const byText = () =>
      this.store.searchText(
        name,
        (declared) => {
          if (declared.embedding === null) throw errors.invalidArgument('query_text', notBound(name));
          return { text: search.text, topK: search.depth, includeVector, filter };
        },
        options,
      );

    let hits: SearchHit[];
    if (search.mode === 'vector') hits = await byVector();
    else if (search.mode === 'text') hits = await byText();
    else hits = fuseByRank(await Promise.all([byVector(), byText()]), search.rrfK, search.rerank?.candidates ?? topK);

    if (search.rerank === null) return hits.slice(0, topK);
    const scores = await this.models.rerank(search.rerank.model, search.text, candidateTexts(hits), 'options.rerank.model', options);
    return applyRerank(hits, scores, topK);
  }

  /** The collections bound to embedding model `model` (what refuses its removal), sorted. */
  async collectionsBoundTo(model: string, options: CallOptions = {}): Promise<string[]> {
    const bound: string[] = [];
    for (const name of await this.store.listCollections(options)) {
      const info = await this.store.getCollection(name, options).catch(() => null);
      if (info?.embedding?.model === model) bound.push(name);
    }
    return bound;
  }

  async getById(name: string, id: string, options: CallOptions = {}): Promise<VectorRecord> {
    checkCollectionName(name, 'collection_name');
    checkId(id, 'id');
    checkNotCancelled(options);
    const [found] = await this.store.get(name, [id], options);
    if (!found) throw errors.vectorNotFound(name, id);
    return found;
  }

  async health(options: CallOptions = {}): Promise<StoreHealth> {
    return this.store.health(options);
  }

  async compact(name: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(name, 'collection_name');
    checkNotCancelled(options);
    await this.store.compact(name, options);
    return { message: vectorMessages.compacted(name) };
  }

  /** One page of the collection's records in ascending id order (vector-listing.ts, page-token.ts). */
  async listVectors(name: string, input: ListVectorsInput, options: CallOptions = {}): Promise<VectorPage> {
    checkCollectionName(name, 'collection_name');
    const listing = prepareListing(input);
    checkNotCancelled(options);
    return listing.page(await this.store.scan(name, listing.plan, options));
  }

  /** The exact number of records matching the filter (all of them without one). */
  async countVectors(name: string, filter: Record<string, unknown> | null | undefined, options: CallOptions = {}): Promise<number> {
    checkCollectionName(name, 'collection_name');
    const parsed = parseFilter(filter ?? null, 'filter');
    checkNotCancelled(options);
    return this.store.count(name, parsed, options);
  }

  async createAlias(alias: string, collection: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(alias, 'alias');
    checkCollectionName(collection, 'collection_name');
    checkNotCancelled(options);
    await this.store.createAlias(alias, collection, options);
    return { message: vectorMessages.aliasCreated(alias, collection) };
  }

  /** The atomic switch: a call through the alias runs wholly on the old collection or wholly on the new one. */
  async alterAlias(alias: string, collection: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(alias, 'alias');
    checkCollectionName(collection, 'collection_name');
    checkNotCancelled(options);
    await this.store.alterAlias(alias, collection, options);
    return { message: vectorMessages.aliasAltered(alias, collection) };
  }

  async dropAlias(alias: string, options: CallOptions = {}): Promise<Done> {
    checkCollectionName(alias, 'alias');
    checkNotCancelled(options);
    await this.store.dropAlias(alias, options);
    return { message: vectorMessages.aliasDropped(alias) };
  }

  /** Every alias, or ('' and absent mean all) those naming one collection; sorted by alias. */
  async listAliases(collection: string | undefined, options: CallOptions = {}): Promise<AliasInfo[]> {
    const only = collection === undefined || collection === '' ? null : collection;
    if (only !== null) checkCollectionName(only, 'collection_name');
    checkNotCancelled(options);
    return this.store.listAliases(only, options);
  }
}

/**
 * A write's records, checked against the declaration (dimension, the batch's floats, COSINE's
 * zero vector) in the store's trip; empty ids get generated ones when `generateIds`.
 */
export function prepareRecords(declared: Declaration, vectors: VectorInput[], generateIds: boolean): WriteRecord[] {
  checkBatch(vectors.length, vectors.length * declared.dimension, 'vectors');
  const duplicates = duplicateIdViolations(vectors.map((v) => v.id ?? ''), 'vectors');
  if (duplicates.length > 0) throw errors.invalidArguments(duplicates);
  return vectors.map((v, i) => {
    const id = v.id ?? '';
    if (id !== '' || !generateIds) failItem(idProblem(id), i, 'id');
    const vector = v.vector ?? [];
    if (vector.length === 0 && declared.embedding !== null) throw errors.invalidArgument(`vectors[${i}].vector`, 'a record needs a vector or text');
    failItem(vectorProblem(vector, declared.dimension, declared.metricType), i, 'vector');
    const metadata: Metadata = v.metadata ?? {};
    failItem(metadataProblem(metadata), i, 'metadata');
    const text = v.text ?? '';
    if (text !== '') {
      if (declared.embedding === null) throw errors.invalidArgument(`vectors[${i}].text`, notBound(declared.name));
      checkStoredText(text, `vectors[${i}].text`);
    }
    return text === '' ? { id: id === '' ? randomUUID() : id, vector, metadata } : { id: id === '' ? randomUUID() : id, vector, metadata, text };
  });
}

/** A record's field is named only when it fails: a batch of a thousand names none. */
function failItem(problem: Problem | null, index: number, field: string): void {
  if (problem !== null) raise(problem, `vectors[${index}].${field}`);
}

function notBound(collection: string): string {
  return `collection '${collection}' is not bound to an embedding model; send vectors, or create it with embedding_model`;
}

/** The collection a plan runs on is the one whose model embedded the call's texts. */
function checkSameBinding(declared: Declaration, embeddedWith: Declaration): void {
  if (declared.createdAt !== embeddedWith.createdAt || !sameBinding(declared.embedding, embeddedWith.embedding)) {
    throw errors.failedPrecondition(`collection '${declared.name}' was re-created while its texts were embedded; retry`);
  }
}

function sameBinding(a: EmbeddingBinding | null, b: EmbeddingBinding | null): boolean {
  return a === b || (a !== null && b !== null && a.model === b.model && a.weights === b.weights && a.modelId === b.modelId && a.dimension === b.dimension);
}
