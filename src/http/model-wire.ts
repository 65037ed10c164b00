import type { Static } from '@sinclair/typebox';
import type { Embedding, Embeddings, ModelConfig, ModelConfigInput, Reranking, TextChunk, TextGeneration } from '../domain';
import type { EmbeddingsResponse, EmbedResponse, GenerateResponse, ModelConfigSchema, RerankResponse, UpdateModelBody } from './schemas/model-schemas';

/** snake_case ModelService wire shapes (the proto's field names) ⇄ the domain's camelCase: renames only. */

/** Register's config (name required) fits Update's (name optional, empty keeps the current one). */
export function modelConfigInput(wire: Static<typeof UpdateModelBody>['config']): ModelConfigInput {
  return { name: wire.name, provider: wire.provider, modelId: wire.model_id, parameters: wire.parameters, enabled: wire.enabled };
}

export function modelConfigOutput(config: ModelConfig): Static<typeof ModelConfigSchema> {
  return { name: config.name, provider: config.provider, model_id: config.modelId, parameters: config.parameters, enabled: config.enabled };
}

export function generateOutput(generation: TextGeneration): Static<typeof GenerateResponse> {
  return { text: generation.text, tokens_used: generation.tokensUsed, metadata: generation.metadata };
}

/** One SSE event's data: a piece of text, or the closing event with the totals. */
export function chunkEventData(chunk: TextChunk) {
  if (!chunk.done) return { text_chunk: chunk.text, finished: false };
  return { text_chunk: '', finished: true, metadata: chunk.metadata };
}

export function embedOutput(embedding: Embedding): Static<typeof EmbedResponse> {
  return { embedding: embedding.vector, dimension: embedding.dimension, metadata: embedding.metadata };
}

export function embeddingsOutput(embeddings: Embeddings): Static<typeof EmbeddingsResponse> {
  return { embeddings: embeddings.vectors, dimension: embeddings.dimension, metadata: embeddings.metadata };
}

export function rerankOutput(reranking: Reranking): Static<typeof RerankResponse> {
  return { results: reranking.results, metadata: reranking.metadata };
}
