import type { Embedding, Embeddings, ModelConfig as DomainModelConfig, ModelConfigInput, Reranking, TextChunk, TextGeneration } from '../domain';
import type {
  GenerateEmbeddingResponse,
  GenerateEmbeddingsResponse,
  GenerateTextResponse,
  ModelConfig,
  RerankResponse,
  StreamGenerateTextResponse,
} from '../gen/taishang/ai/v1/model_service';

/**
 * Wire ⇄ domain shapes for ModelService. Pure renames: proto3 defaults pass through unchanged
 * (an unset `enabled` is false, as the seed's field says), since the domain decides what they mean.
 */

/** An absent config stays absent, so the domain answers "config: is required". */
export function modelConfigIn(config: ModelConfig | undefined): ModelConfigInput | undefined {
  if (config === undefined) return undefined;
  return {
    name: config.name,
    provider: config.provider,
    modelId: config.modelId,
    parameters: config.parameters,
    enabled: config.enabled,
  };
}

export function modelConfigOut(config: DomainModelConfig): ModelConfig {
  return {
    name: config.name,
    provider: config.provider,
    modelId: config.modelId,
    parameters: config.parameters,
    enabled: config.enabled,
  };
}

export function generateTextOut(generation: TextGeneration): GenerateTextResponse {
  return { text: generation.text, tokensUsed: generation.tokensUsed, metadata: generation.metadata };
}

/** A piece of text, or the stream's one closing message (no text; the totals in metadata). */
export function textChunkOut(chunk: TextChunk): StreamGenerateTextResponse {
  if (chunk.done) return { textChunk: '', finished: true, metadata: chunk.metadata };
  return { textChunk: chunk.text, finished: false, metadata: undefined };
}

export function embeddingOut(embedding: Embedding): GenerateEmbeddingResponse {
  return { embedding: embedding.vector, dimension: embedding.dimension, metadata: embedding.metadata };
}

/** Each vector travels wrapped in an Embedding message, the proto's way to nest a repeated field. */
export function embeddingsOut(embeddings: Embeddings): GenerateEmbeddingsResponse {
  return { embeddings: embeddings.vectors.map((values) => ({ values })), dimension: embeddings.dimension, metadata: embeddings.metadata };
}

export function rerankOut(reranking: Reranking): RerankResponse {
  return { results: reranking.results, metadata: reranking.metadata };
}
