import type { AliasInfo, CollectionDetails, IndexParamsInput, ListedRecord, SearchHit, SearchInput, VectorInput, VectorRecord } from '../domain';
import type {
  Alias,
  GetCollectionInfoResponse,
  IndexParams,
  SearchOptions,
  SearchResult,
  Vector,
} from '../gen/taishang/ai/v1/vector_service';

/**
 * Wire ⇄ domain shapes for VectorService. Pure renames: proto3 defaults ('' and 0) pass through
 * unchanged, because deciding what they mean is the domain's job, once for both doors.
 */

export function indexParamsIn(params: IndexParams | undefined): IndexParamsInput | undefined {
  if (params === undefined) return undefined;
  return { indexType: params.indexType, metricType: params.metricType, params: params.params };
}

export function vectorIn(vector: Vector): VectorInput {
  return { id: vector.id, vector: vector.vector, metadata: vector.metadata };
}

/** Absent options (a message the client did not set) stay absent; a set one passes its topk, 0 included. */
export function searchOptionsIn(options: SearchOptions | undefined): SearchInput['options'] {
  if (options === undefined) return undefined;
  return { topK: options.topk, includeVector: options.includeVector, filter: options.filter };
}

export function vectorOut(record: VectorRecord): Vector {
  return { id: record.id, vector: record.vector, metadata: record.metadata };
}

/** A repeated field has no "absent": a hit without its vector carries an empty one. */
export function searchResultOut(hit: SearchHit): SearchResult {
  return { id: hit.id, score: hit.score, vector: hit.vector ?? [], metadata: hit.metadata };
}

export function collectionInfoOut(info: CollectionDetails): GetCollectionInfoResponse {
  return {
    name: info.name,
    description: info.description,
    vectorDim: info.vectorDim,
    indexParams: info.indexParams,
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
  };
}

/** A listed record without its vector carries an empty one, like a search hit. */
export function listedVectorOut(record: ListedRecord): Vector {
  return { id: record.id, vector: record.vector ?? [], metadata: record.metadata };
}

export function aliasOut(alias: AliasInfo): Alias {
  return { alias: alias.alias, collectionName: alias.collection };
}
