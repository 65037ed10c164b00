import { errors } from '../../errors';
import type { FinishReason, GenerationResult, ModelConfig, RerankScores, ToolCall } from './model-types';

/**
 * What ModelService answers, once for every door: the summaries read as `message`, the token
 * totals, and the `metadata` Structs of the seed's responses. Their keys are the contract's
 * (snake_case, documented in docs/API.md) and are built here only, so the doors cannot tell them apart.
 */

/** Register's and Update's answer: the stored config and the summary. */
export interface ModelDone {
  config: ModelConfig;
  message: string;
}

/** GenerateText's `metadata`. */
export interface GenerationMetadata {
  prompt_tokens: number;
  completion_tokens: number;
  finish_reason: FinishReason;
  model: string;
}

/** A finished generation as every door reports it. */
export interface TextGeneration extends GenerationResult {
  /** Prompt plus completion tokens (CONVENTIONS.md). */
  tokensUsed: number;
  metadata: GenerationMetadata;
  /** The tools the model called (finishReason 'tool_calls'); `text` is then empty. */
  toolCalls?: ToolCall[];
}

/**
 * One piece of a streamed generation. The last has `done` set, the whole result, and the closing
 * message's `metadata`: GenerateText's plus `tokens_used`, since the stream message has no field for it.
 */
export type TextChunk =
  | { done: false; text: string; toolCalls?: ToolCall[] }
  | { done: true; result: TextGeneration; metadata: GenerationMetadata & { tokens_used: number } };

/** Tokens the model read, only when the provider counts them: no made-up zero. */
type TokensUsed = { tokens_used?: number };

/** GenerateEmbedding's answer: one text, so `truncated` is a single flag. */
export interface Embedding {
  vector: number[];
  dimension: number;
  truncated: boolean;
  tokens?: number;
  metadata: { model: string; truncated: boolean } & TokensUsed;
}

/** GenerateEmbeddings' answer: one vector per text, in input order. */
export interface Embeddings {
  vectors: number[][];
  dimension: number;
  truncated: boolean[];
  /** Tokens read in all, when the provider counts them. */
  tokens?: number;
  metadata: { model: string; truncated: boolean[] } & TokensUsed;
}

/** One scored document of a Rerank answer; `index` is its position in the request. */
export interface RerankHit {
  index: number;
  score: number;
}

/** Rerank's answer: the first top_n documents, best first (equal scores by index). */
export interface Reranking {
  results: RerankHit[];
  /** Per document, in input order: whether it was cut to the model's window. */
  truncated: boolean[];
  tokens?: number;
  metadata: { model: string; truncated: boolean[] } & TokensUsed;
}

/** The provider's scores (input order) ranked: best first, ties by index, cut to `count`. */
export function reranking(model: string, scored: RerankScores, documents: number, count: number): Reranking {
  if (scored.scores.length !== documents || scored.truncated.length !== documents || !scored.scores.every(Number.isFinite)) {
    throw errors.internal(new Error(`model '${model}' answered ${scored.scores.length} scores for ${documents} documents`));
  }
  const results = scored.scores
    .map((score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count);
  const tokens = scored.tokens === undefined ? {} : { tokens: scored.tokens };
  return { results, truncated: scored.truncated, ...tokens, metadata: { model, truncated: scored.truncated, ...tokensUsed(scored.tokens) } };
}

export function textGeneration(model: string, result: GenerationResult & { toolCalls?: ToolCall[] }): TextGeneration {
  return {
    ...result,
    tokensUsed: result.promptTokens + result.completionTokens,
    metadata: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, finish_reason: result.finishReason, model },
  };
}

export function lastChunk(model: string, result: GenerationResult & { toolCalls?: ToolCall[] }): TextChunk {
  const generation = textGeneration(model, result);
  return { done: true, result: generation, metadata: { tokens_used: generation.tokensUsed, ...generation.metadata } };
}

export function tokensUsed(tokens: number | undefined): TokensUsed {
  return tokens === undefined ? {} : { tokens_used: tokens };
}

/** The summaries, one wording for every door; the OpenAPI examples quote them too. */
export const modelMessages = {
  registered: (name: string) => `model '${name}' registered`,
  updated: (name: string, newName: string) => (newName === name ? `model '${name}' updated` : `model '${name}' updated and renamed to '${newName}'`),
  unregistered: (name: string) => `model '${name}' unregistered`,
} as const;
