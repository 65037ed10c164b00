import type { Static } from '@sinclair/typebox';
import type { AliasInfo, CollectionDetails, CreateCollectionInput, EmbeddingBinding, IndexParamsInput, ListVectorsInput, SearchInput, VectorInput, VectorPage } from '../domain';
import type { CollectionInfoResponse, CreateCollectionBody } from './schemas/collection-schemas';
import type { indexParamsInput as indexParamsWire } from './schemas/common-schemas';
import type { SearchBody } from './schemas/search-schemas';
import type { ListVectorsBody } from './schemas/listing-schemas';
import type { InsertVectorsBody, UpsertVectorsBody } from './schemas/vector-schemas';

/** snake_case wire shapes (the proto's field names) ⇄ the domain's camelCase inputs and results: renames only. */

export function createCollectionInput(body: Static<typeof CreateCollectionBody>): CreateCollectionInput {
  return {
    name: body.name,
    description: body.description,
    vectorDim: body.vector_dim,
    indexParams: indexParamsInput(body.index_params),
    embeddingModel: body.embedding_model,
  };
}

export function indexParamsInput(wire: Static<ReturnType<typeof indexParamsWire>> | undefined): IndexParamsInput | undefined {
  if (wire === undefined) return undefined;
  return { indexType: wire.index_type, metricType: wire.metric_type, params: wire.params };
}

export function collectionInfoOutput(info: CollectionDetails): Static<typeof CollectionInfoResponse> {
  const { indexParams } = info;
  return {
    name: info.name,
    description: info.description,
    vector_dim: info.vectorDim,
    index_params: { index_type: indexParams.indexType, metric_type: indexParams.metricType, params: indexParams.params },
    created_at: info.createdAt,
    updated_at: info.updatedAt,
    ...(info.embeddingModel === null ? {} : { embedding_model: bindingOutput(info.embeddingModel) }),
  };
}

function bindingOutput(binding: EmbeddingBinding) {
  return { name: binding.model, provider: binding.provider, model_id: binding.modelId, weights: binding.weights, dimension: binding.dimension };
}

export function vectorInputs(body: Static<typeof InsertVectorsBody> | Static<typeof UpsertVectorsBody>): VectorInput[] {
  return body.vectors.map((v) => ({ id: v.id, vector: v.vector ?? [], metadata: v.metadata, text: v.text }));
}

/** An omitted `topk` stays absent: the domain applies the default. */
export function searchInput(body: Static<typeof SearchBody>): SearchInput {
  const options = body.options;
  const query = { queryVector: body.query_vector ?? [], queryText: body.query_text };
  if (options === undefined) return query;
  const rerank = options.rerank === undefined ? null : { model: options.rerank.model, candidates: options.rerank.candidates };
  return {
    ...query,
    options: { topK: options.topk, includeVector: options.include_vector, filter: options.filter, mode: options.mode, rrfK: options.rrf_k, rerank },
  };
}

/** The `{success, message}` answer: `success` is the seed's field, always true (failures are errors). */
export function succeeded(done: { message: string }) {
  return { success: true, message: done.message };
}

/** The `{ids, success, message}` answer of Insert and Upsert. */
export function written(done: { ids: string[]; message: string }) {
  return { ids: done.ids, success: true, message: done.message };
}

/** ListVectors from the query string or the body (the query string has no filter). */
export function listVectorsInput(wire: Partial<Static<typeof ListVectorsBody>>): ListVectorsInput {
  return { filter: wire.filter, pageSize: wire.page_size, pageToken: wire.page_token, includeVector: wire.include_vector };
}

export function vectorPageOutput(page: VectorPage) {
  return { vectors: page.vectors, next_page_token: page.nextPageToken };
}

export function aliasesOutput(aliases: AliasInfo[]) {
  return { aliases: aliases.map((a) => ({ alias: a.alias, collection_name: a.collection })) };
}
