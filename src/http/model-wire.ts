import type { Static } from '@sinclair/typebox';
import type { EmbedOutput, GenerationResult, ModelConfig, ModelConfigInput } from '../domain';
import type {
  EmbedResponse,
  EmbeddingsResponse,
  GenerateResponse,
  GenerationParameters,
  ModelConfigSchema,
  UpdateModelBody,
} from './schemas/model-schemas';

/** snake_case ModelService wire shapes (the proto's field names) ⇄ the domain's camelCase. */

/** Register's config (name required) fits Update's (name optional, empty keeps the current one). */
export function modelConfigInput(wire: Static<typeof UpdateModelBody>['config']): ModelConfigInput {
  return { name: wire.name, provider: wire.provider, modelId: wire.model_id, parameters: wire.parameters, enabled: wire.enabled };
}

export function modelConfigOutput(config: ModelConfig): Static<typeof ModelConfigSchema> {
  return { name: config.name, provider: config.provider, model_id: config.modelId, parameters: config.parameters, enabled: config.enabled };
}

/**
 * The domain reads generation parameters by their wire names (it checks them for both doors), so
 * they pass as they are; the schema only guaranteed their types.
 */
export function generationParameters(wire: Static<typeof GenerationParameters> | undefined): Record<string, unknown> | null {
  return wire ?? null;
}

function generationMetadata(model: string, result: GenerationResult) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, finish_reason: result.finishReason, model };
}

export function generateOutput(model: string, result: GenerationResult): Static<typeof GenerateResponse> {
  return { text: result.text, tokens_used: result.promptTokens + result.completionTokens, metadata: generationMetadata(model, result) };
}

/** One SSE event's data: a piece of text, or the closing event with the totals. */
export function chunkEventData(model: string, chunk: { done: false; text: string } | { done: true; result: GenerationResult }) {
  if (!chunk.done) return { text_chunk: chunk.text, finished: false };
  const tokensUsed = chunk.result.promptTokens + chunk.result.completionTokens;
  return { text_chunk: '', finished: true, metadata: { tokens_used: tokensUsed, ...generationMetadata(model, chunk.result) } };
}

/** Tokens the model read, only when the provider counts them (no made-up zero). */
function tokensOf(output: EmbedOutput): { tokens_used?: number } {
  return output.tokens === undefined ? {} : { tokens_used: output.tokens };
}

export function embedOutput(model: string, output: EmbedOutput): Static<typeof EmbedResponse> {
  return { embedding: output.vectors[0] ?? [], dimension: output.dimension, metadata: { model, truncated: output.truncated[0] ?? false, ...tokensOf(output) } };
}

export function embeddingsOutput(model: string, output: EmbedOutput): Static<typeof EmbeddingsResponse> {
  return { embeddings: output.vectors, dimension: output.dimension, metadata: { model, truncated: output.truncated, ...tokensOf(output) } };
}
