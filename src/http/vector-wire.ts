import type { Static } from '@sinclair/typebox';
import {
  limits,
  type CollectionInfo,
  type CreateCollectionInput,
  type IndexParamsInput,
  type SearchInput,
  type VectorInput,
} from '../domain';
import type { CollectionInfoResponse, CreateCollectionBody } from './schemas/collection-schemas';
import type { IndexParamsInput as IndexParamsWire } from './schemas/common-schemas';
import type { SearchBody } from './schemas/search-schemas';
import type { WriteVectorsBody } from './schemas/vector-schemas';

/** snake_case wire shapes (the proto's field names) ⇄ the domain's camelCase inputs and results. */

export function createCollectionInput(body: Static<typeof CreateCollectionBody>): CreateCollectionInput {
  return {
    name: body.name,
    description: body.description,
    vectorDim: body.vector_dim,
    indexParams: indexParamsInput(body.index_params),
  };
}

export function indexParamsInput(wire: Static<typeof IndexParamsWire> | undefined): IndexParamsInput | undefined {
  if (wire === undefined) return undefined;
  return { indexType: wire.index_type, metricType: wire.metric_type, params: wire.params };
}

export function collectionInfoOutput(info: CollectionInfo): Static<typeof CollectionInfoResponse> {
  return {
    name: info.name,
    description: info.description,
    vector_dim: info.dimension,
    index_params: {
      index_type: info.index?.indexType ?? '',
      metric_type: info.index?.metricType ?? info.metricType,
      params: info.index?.params ?? {},
    },
    created_at: info.createdAt,
    updated_at: info.updatedAt,
  };
}

export function vectorInputs(body: Static<typeof WriteVectorsBody>): VectorInput[] {
  return body.vectors.map((v) => ({ id: v.id, vector: v.vector, metadata: v.metadata }));
}

export function searchInput(body: Static<typeof SearchBody>): SearchInput {
  const options = body.options;
  if (options === undefined) return { queryVector: body.query_vector };
  // REST can tell "topk absent" from 0, so an omitted topk takes the documented default.
  return {
    queryVector: body.query_vector,
    options: { topK: options.topk ?? limits.defaultTopK, includeVector: options.include_vector, filter: options.filter },
  };
}

/** The `{ids, success, message}` answer of Insert and Upsert. */
export function writeOutput(ids: string[], verb: 'inserted' | 'upserted') {
  return { ids, success: true, message: `${verb} ${ids.length} vector${ids.length === 1 ? '' : 's'}` };
}

/** The `{success, message}` answer of operations that return nothing else. */
export function succeeded(message: string) {
  return { success: true, message };
}
