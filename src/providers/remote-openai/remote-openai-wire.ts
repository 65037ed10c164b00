import type { EmbeddingResult, FinishReason, GenerationParams, GenerationResult, RerankScores } from '../../domain';
import { upstreamError } from './openai-error-mapping';
import type { OpenAiSettings } from './openai-settings';

/** Request bodies and answers of /embeddings, /chat/completions and /rerank, in our vocabulary. */

export function embeddingsBody(modelId: string, texts: string[], settings: OpenAiSettings): Record<string, unknown> {
  // `float` explicitly: the official SDKs default to base64, and not every server does either.
  const body: Record<string, unknown> = { model: modelId, input: texts, encoding_format: 'float' };
  if (settings.dimensions !== null) body.dimensions = settings.dimensions;
  return body;
}

/** Vectors in input order (the API tags each with `index`); the count and, when configured, the dimension are checked. */
export function embeddingsResult(answer: unknown, count: number, settings: OpenAiSettings, where: string): EmbeddingResult {
  const malformed = (detail: string) => upstreamError({ kind: 'malformed', detail }, where);
  const data = (answer as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length !== count) throw malformed(`expected ${count} embeddings in data[]`);
  const vectors: number[][] = new Array(count);
  data.forEach((item: { index?: unknown; embedding?: unknown }, position) => {
    const index = Number.isInteger(item?.index) ? (item.index as number) : position;
    const embedding = item?.embedding;
    if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw malformed(`data[${position}].embedding is not an array of finite numbers`);
    }
    if (index < 0 || index >= count || vectors[index] !== undefined) throw malformed(`data[${position}].index ${index} is out of range or repeated`);
    vectors[index] = embedding as number[];
  });
  const dimension = vectors[0]!.length;
  if (vectors.some((v) => v.length !== dimension)) throw malformed('embeddings of different lengths in one answer');
  if (settings.dimensions !== null && dimension !== settings.dimensions) {
    throw malformed(`embeddings have ${dimension} dimensions, parameters.dimensions says ${settings.dimensions} (the server may ignore \`dimensions\`)`);
  }
  const tokens = (answer as { usage?: { prompt_tokens?: unknown } }).usage?.prompt_tokens;
  // Texts are never 0 tokens: servers that do not count (this service's /openai/v1 among them) say 0.
  const counted = Number.isInteger(tokens) && (tokens as number) > 0;
  // A remote server does not say whether it cut a text, so nothing is reported as truncated.
  return { vectors, dimension, truncated: vectors.map(() => false), ...(counted ? { tokens: tokens as number } : {}) };
}

/**
 * The Cohere/Jina-shaped /rerank that vLLM, llama.cpp's server, Jina, LocalAI and this service's
 * /openai/v1 serve: every document scored (top_n = their count), no documents echoed back.
 */
export function rerankBody(modelId: string, query: string, documents: string[]): Record<string, unknown> {
  return { model: modelId, query, documents, top_n: documents.length, return_documents: false };
}

/**
 * `results[{index, relevance_score}]` (any order) back to one score per document in input order;
 * every document must be scored once. Tokens from `usage.total_tokens` (Jina, vLLM, llama.cpp)
 * (Cohere's `meta.billed_units` counts search units, not tokens, and is not read).
 */
export function rerankResult(answer: unknown, count: number, where: string): RerankScores {
  const malformed = (detail: string) => upstreamError({ kind: 'malformed', detail }, where);
  const results = (answer as { results?: unknown })?.results;
  if (!Array.isArray(results) || results.length !== count) throw malformed(`expected ${count} scores in results[]`);
  const scores: number[] = new Array(count);
  results.forEach((item: { index?: unknown; relevance_score?: unknown }, position) => {
    const index = item?.index;
    const score = item?.relevance_score;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= count || scores[index as number] !== undefined) {
      throw malformed(`results[${position}].index is missing, out of range or repeated`);
    }
    if (typeof score !== 'number' || !Number.isFinite(score)) throw malformed(`results[${position}].relevance_score is not a finite number`);
    scores[index as number] = score;
  });
  const tokens = (answer as { usage?: { total_tokens?: unknown } }).usage?.total_tokens;
  const counted = Number.isInteger(tokens) && (tokens as number) > 0;
  // A remote server does not say whether it cut a document.
  return { scores, truncated: scores.map(() => false), ...(counted ? { tokens: tokens as number } : {}) };
}

/** A raw continuation is the server's /completions; everything else its /chat/completions. */
export function generationPath(params: GenerationParams): '/completions' | '/chat/completions' {
  return params.raw === true ? '/completions' : '/chat/completions';
}

/**
 * The call's settings win; the model's configured defaults fill the gaps; the server's own defaults
 * the rest. An output form travels as the server's response_format, which it enforces.
 */
export function chatBody(modelId: string, prompt: string, params: GenerationParams, settings: OpenAiSettings, stream: boolean): Record<string, unknown> {
  const p = { ...settings.defaults, ...definedOnly(params) };
  const body: Record<string, unknown> = params.raw === true ? { model: modelId, prompt, stream } : { model: modelId, messages: [{ role: 'user', content: prompt }], stream };
  if (params.output?.kind === 'json') body.response_format = { type: 'json_object' };
  if (params.output?.kind === 'json_schema') body.response_format = { type: 'json_schema', json_schema: { name: params.output.name, schema: params.output.schema } };
  // max_tokens rather than max_completion_tokens: every compatible server knows the former.
  if (p.maxTokens !== undefined) body.max_tokens = p.maxTokens;
  if (p.temperature !== undefined) body.temperature = p.temperature;
  if (p.topP !== undefined) body.top_p = p.topP;
  if (p.stop !== undefined) body.stop = p.stop;
  if (p.seed !== undefined) body.seed = p.seed;
  if (stream) body.stream_options = { include_usage: true };
  return body;
}

export function chatResult(answer: unknown, where: string): GenerationResult {
  // A chat answer carries message.content, a completion's answer text.
  const choice = (answer as { choices?: { message?: { content?: unknown }; text?: unknown; finish_reason?: unknown }[] })?.choices?.[0];
  const content = choice?.message === undefined ? choice?.text : choice.message.content;
  if (choice === undefined || (typeof content !== 'string' && content !== null && content !== undefined)) {
    throw upstreamError({ kind: 'malformed', detail: 'no choices[0].message.content or choices[0].text' }, where);
  }
  const usage = usageOf(answer);
  return {
    text: content ?? '',
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    finishReason: finishReasonOf(choice.finish_reason),
  };
}

/** One `chat.completion.chunk`: its text delta, its finish reason, its usage (the include_usage chunk). */
export function chunkParts(event: Record<string, unknown>): { text: string; finishReason: FinishReason | null; usage: ReturnType<typeof usageOf> } {
  const choice = (event.choices as { delta?: { content?: unknown }; text?: unknown; finish_reason?: unknown }[] | undefined)?.[0];
  const content = choice?.delta === undefined ? choice?.text : choice.delta.content;
  return {
    text: typeof content === 'string' ? content : '',
    finishReason: choice?.finish_reason === undefined || choice.finish_reason === null ? null : finishReasonOf(choice.finish_reason),
    usage: usageOf(event),
  };
}

function usageOf(answer: unknown): { promptTokens: number; completionTokens: number } | null {
  const usage = (answer as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null })?.usage;
  if (usage === null || usage === undefined || !Number.isInteger(usage.prompt_tokens)) return null;
  return { promptTokens: usage.prompt_tokens as number, completionTokens: Number.isInteger(usage.completion_tokens) ? (usage.completion_tokens as number) : 0 };
}

/** `length` is kept; stop, content_filter, tool_calls and anything newer mean the model ended on its own. */
function finishReasonOf(raw: unknown): FinishReason {
  return raw === 'length' ? 'length' : 'stop';
}

function definedOnly(params: GenerationParams): GenerationParams {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as GenerationParams;
}
