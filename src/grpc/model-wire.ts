import type { EmbedOutput, GenerationResult, ModelConfig as DomainModelConfig, ModelConfigInput } from '../domain';
import type {
  GenerateEmbeddingResponse,
  GenerateEmbeddingsResponse,
  GenerateTextResponse,
  ModelConfig,
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
    parameters: config.parameters ?? {},
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

/** What every generation reports besides its text (CONVENTIONS.md: tokens_used = prompt + completion). */
function generationMetadata(model: string, result: GenerationResult) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    finish_reason: result.finishReason,
    model,
  };
}

export function generateTextOut(model: string, result: GenerationResult): GenerateTextResponse {
  return {
    text: result.text,
    tokensUsed: result.promptTokens + result.completionTokens,
    metadata: generationMetadata(model, result),
  };
}

export function textChunkOut(text: string): StreamGenerateTextResponse {
  return { textChunk: text, finished: false, metadata: undefined };
}

/** The stream's one closing message: no text, the totals in metadata. */
export function finishedOut(model: string, result: GenerationResult): StreamGenerateTextResponse {
  return {
    textChunk: '',
    finished: true,
    metadata: { tokens_used: result.promptTokens + result.completionTokens, ...generationMetadata(model, result) },
  };
}

/** GenerateEmbedding carries one text, so `truncated` is a single flag. */
export function embeddingOut(model: string, output: EmbedOutput): GenerateEmbeddingResponse {
  return {
    embedding: output.vectors[0] ?? [],
    dimension: output.dimension,
    metadata: { model, truncated: output.truncated[0] ?? false, ...tokensOf(output) },
  };
}

export function embeddingsOut(model: string, output: EmbedOutput): GenerateEmbeddingsResponse {
  return {
    embeddings: output.vectors.map((values) => ({ values })),
    dimension: output.dimension,
    metadata: { model, truncated: output.truncated, ...tokensOf(output) },
  };
}

/** Tokens the model read, only when the provider counts them (no made-up zero). */
function tokensOf(output: EmbedOutput): { tokens_used?: number } {
  return output.tokens === undefined ? {} : { tokens_used: output.tokens };
}
