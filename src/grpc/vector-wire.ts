import type { CollectionInfo, IndexParamsInput, SearchHit, SearchInput, VectorInput, VectorRecord } from '../domain';
import type {
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
  return { indexType: params.indexType, metricType: params.metricType, params: params.params ?? {} };
}

export function vectorIn(vector: Vector): VectorInput {
  return { id: vector.id, vector: vector.vector, metadata: vector.metadata ?? {} };
}

/** Absent options (not proto3 defaults) mean the domain's defaults: top 10, no vectors, no filter. */
export function searchOptionsIn(options: SearchOptions | undefined): SearchInput['options'] {
  if (options === undefined) return undefined;
  return { topK: options.topk, includeVector: options.includeVector, filter: options.filter ?? null };
}

export function vectorOut(record: VectorRecord): Vector {
  return { id: record.id, vector: record.vector, metadata: record.metadata };
}

export function searchResultOut(hit: SearchHit): SearchResult {
  return { id: hit.id, score: hit.score, vector: hit.vector ?? [], metadata: hit.metadata };
}

/** index_params always carries the metric, even with no index declared (index_type ''). */
export function collectionInfoOut(info: CollectionInfo): GetCollectionInfoResponse {
  return {
    name: info.name,
    description: info.description,
    vectorDim: info.dimension,
    indexParams: {
      indexType: info.index?.indexType ?? '',
      metricType: info.index?.metricType ?? info.metricType,
      params: info.index?.params ?? {},
    },
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
  };
}
