import type { AliasInfo, CollectionDetails, EmbeddingBinding, IndexParamsInput, ListedRecord, SearchHit, SearchInput, VectorInput, VectorRecord } from '../domain';
import type {
  Alias,
  EmbeddingBinding as GrpcEmbeddingBinding,
  GetCollectionInfoResponse,
  IndexParams,
  SearchOptions,
  SearchResult,
  Vector,
} from '../gen/taishang/ai/v1/vector_service';
import type { DecodedVector } from './vector-request-decoding';

/**
 * Wire ⇄ domain shapes for VectorService. Pure renames: proto3 defaults ('' and 0) pass through
 * unchanged, because deciding what they mean is the domain's job, once for both doors.
 */

export function indexParamsIn(params: IndexParams | undefined): IndexParamsInput | undefined {
  if (params === undefined) return undefined;
  return { indexType: params.indexType, metricType: params.metricType, params: params.params };
}

/**
 * Insert and Upsert arrive decoded by hand, vectors as Float32Arrays (vector-request-decoding.ts);
 * the generated shape is accepted too. Either passes on as is.
 */
export function vectorIn(vector: Vector | DecodedVector): VectorInput {
  return { id: vector.id, vector: vector.vector, metadata: vector.metadata, text: vector.text };
}

/**
 * Absent options (a message the client did not set) stay absent; a set one passes its topk, 0
 * included. rrf_k 0 is proto3's "unset" and means the default, as the proto documents; a negative
 * one goes on to be refused.
 */
export function searchOptionsIn(options: SearchOptions | undefined): SearchInput['options'] {
  if (options === undefined) return undefined;
  return {
    topK: options.topk,
    includeVector: options.includeVector,
    filter: options.filter,
    mode: options.mode,
    ...(options.rrfK === 0 ? {} : { rrfK: options.rrfK }),
    rerank: options.rerank === undefined ? null : { model: options.rerank.model, candidates: options.rerank.candidates },
  };
}

/** '' is proto3's absent text. */
export function vectorOut(record: VectorRecord): Vector {
  return { id: record.id, vector: record.vector, metadata: record.metadata, text: record.text ?? '' };
}

/** A repeated field has no "absent": a hit without its vector carries an empty one. */
export function searchResultOut(hit: SearchHit): SearchResult {
  return { id: hit.id, score: hit.score, vector: hit.vector ?? [], metadata: hit.metadata, text: hit.text ?? '' };
}

export function collectionInfoOut(info: CollectionDetails): GetCollectionInfoResponse {
  return {
    name: info.name,
    description: info.description,
    vectorDim: info.vectorDim,
    indexParams: info.indexParams,
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
    embeddingModel: info.embeddingModel === null ? undefined : bindingOut(info.embeddingModel),
  };
}

function bindingOut(binding: EmbeddingBinding): GrpcEmbeddingBinding {
  const { model: name, provider, modelId, weights, dimension } = binding;
  return { name, provider, modelId, weights, dimension };
}

/** A listed record without its vector carries an empty one, like a search hit. */
export function listedVectorOut(record: ListedRecord): Vector {
  return { id: record.id, vector: record.vector ?? [], metadata: record.metadata, text: record.text ?? '' };
}

export function aliasOut(alias: AliasInfo): Alias {
  return { alias: alias.alias, collectionName: alias.collection };
}
