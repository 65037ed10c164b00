import type { CallOptions } from '../vector/vector-types';

/** Providers a model can be served by (CONVENTIONS.md). */
export const PROVIDERS = ['transformers', 'llamacpp', 'openai'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** What a model does: embeddings, text generation, or scoring documents against a query (reranking). */
export const MODEL_KINDS = ['embedding', 'generation', 'reranker'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A registry entry, as the seed's ModelConfig. `parameters` never holds a secret. */
export interface ModelConfig {
  name: string;
  provider: ProviderName;
  modelId: string;
  parameters: Record<string, unknown>;
  enabled: boolean;
}

/**
 * A form the generated text must take, enforced while it is generated (llama.cpp: a grammar; a
 * remote server: its response_format), not checked afterwards: any JSON value, or JSON matching a
 * JSON Schema.
 */
export type OutputFormat = { kind: 'json' } | { kind: 'json_schema'; name: string; schema: Record<string, unknown> };

/** Generation settings after validation; absent ones fall back to the model's defaults. */
export interface GenerationParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  /** Continue the prompt as plain text, without the model's chat template (a completion, not a chat turn). */
  raw?: boolean;
  output?: OutputFormat;
}

/** `tool_calls`: the answer is calls of the caller's tools (set by the domain, never by a provider). */
export type FinishReason = 'stop' | 'length' | 'cancelled' | 'tool_calls';

/** One call of a caller's tool, as the model asked for it. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text (an object), as OpenAI's clients expect them. */
  arguments: string;
}

export interface GenerationResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
}

/** One piece of a streamed generation; the last one has `done` set and the totals. */
export type GenerationChunk =
  | { done: false; text: string }
  | { done: true; result: GenerationResult };

export interface EmbeddingResult {
  vectors: number[][];
  dimension: number;
  /** Per input: whether it was cut to the model's window. */
  truncated: boolean[];
  /** Tokens the model read, when the provider knows. */
  tokens?: number;
  /** Tokens read per input (after truncation), when the provider knows. */
  tokenCounts?: number[];
}

/** A provider's scores for one rerank call: one per document, in input order, higher = more relevant. */
export interface RerankScores {
  scores: number[];
  /** Per document: whether it (or its pair with the query) was cut to the model's window. */
  truncated: boolean[];
  /** Tokens the model read, when the provider knows. */
  tokens?: number;
}

/** The signal reaches the provider: generation stops when the caller goes away. */
export type ModelCallOptions = CallOptions;
