import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { ChatRequest, Embeddings, FinishReason, ModelConfig, TextGeneration } from '../../domain';
import { errors } from '../../errors';
import type { ChatCompletionBody, ChatCompletionResponse, EmbeddingsBody, EmbeddingsResponse, ModelsResponse } from './openai-schemas';

/**
 * OpenAI wire shapes ⇄ ModelService calls: renames, OpenAI's envelopes (object, id, created),
 * its `null`-means-absent settings, and base64 float encoding. Rules live in the domain.
 */

/**
 * `input` as what the domain embeds: one string, or many. The schema leaves `input` untyped (a
 * union gives poor messages), so its shape is checked here; emptiness and sizes are the domain's.
 */
export function embeddingInput(input: unknown): { one: string } | { many: string[] } {
  if (typeof input === 'string') return { one: input };
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return { many: input as string[] };
  const tokens = Array.isArray(input) && input.some((x) => typeof x === 'number' || Array.isArray(x));
  throw errors.invalidArgument('input', tokens ? 'token arrays are not supported; send text' : 'must be a string or an array of strings');
}

/**
 * OpenAI's `usage` is not optional, so a provider that does not count tokens reports 0 ("not
 * counted") where the native doors leave `tokens_used` out.
 */
export function embeddingsOutput(body: Static<typeof EmbeddingsBody>, embeddings: Pick<Embeddings, 'vectors' | 'tokens'>): Static<typeof EmbeddingsResponse> {
  const base64 = body.encoding_format === 'base64';
  const tokens = embeddings.tokens ?? 0;
  return {
    object: 'list',
    data: embeddings.vectors.map((vector, index) => ({ object: 'embedding' as const, index, embedding: base64 ? float32Base64(vector) : vector })),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** OpenAI's base64 encoding: the float32 values, little-endian, as the SDKs decode them. */
function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => bytes.writeFloatLE(x, i * 4));
  return bytes.toString('base64');
}

/** OpenAI sends `null` for a setting left to the server; here that is absent. */
function given<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

/**
 * The request in the domain's terms. Content parts are OpenAI's encoding of text (only text parts
 * pass the schema) and are joined; `max_completion_tokens` is the newer name of `max_tokens`, so it wins.
 */
export function chatRequest(body: Static<typeof ChatCompletionBody>): ChatRequest {
  const parameters = {
    max_tokens: given(body.max_completion_tokens) ?? given(body.max_tokens),
    temperature: given(body.temperature),
    top_p: given(body.top_p),
    stop: given(body.stop),
    seed: given(body.seed),
  };
  return {
    messages: body.messages.map((m) => ({ role: m.role, content: typeof m.content === 'string' ? m.content : m.content.map((part) => part.text).join('') })),
    parameters: Object.fromEntries(Object.entries(parameters).filter(([, v]) => v !== undefined)),
    choices: given(body.n),
    presencePenalty: given(body.presence_penalty),
    frequencyPenalty: given(body.frequency_penalty),
  };
}

/** The parts every answer of one completion shares. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function completionIdentity(model: string): CompletionIdentity {
  return { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model };
}

/**
 * Our finish reasons in OpenAI's closed set. `cancelled` never reaches a client that is still
 * there; it reads as an ordinary stop.
 */
const FINISH_REASON = { stop: 'stop', length: 'length', cancelled: 'stop' } as const satisfies Record<FinishReason, 'stop' | 'length'>;

export function finishReasonOf(reason: FinishReason): 'stop' | 'length' {
  return FINISH_REASON[reason];
}

export function usageOf(generation: TextGeneration) {
  return { prompt_tokens: generation.promptTokens, completion_tokens: generation.completionTokens, total_tokens: generation.tokensUsed };
}

export function completionOutput(identity: CompletionIdentity, generation: TextGeneration): Static<typeof ChatCompletionResponse> {
  return {
    ...identity,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: generation.text }, finish_reason: finishReasonOf(generation.finishReason), logprobs: null }],
    usage: usageOf(generation),
  };
}

/** `created` is when this server started: the registry keeps no creation time, and OpenAI's field is required. */
export function modelsOutput(models: ModelConfig[], created: number): Static<typeof ModelsResponse> {
  return { object: 'list', data: models.map((m) => modelOutput(m, created)) };
}

export function modelOutput(model: ModelConfig, created: number) {
  return { id: model.name, object: 'model' as const, created, owned_by: 'taishang-ai' as const };
}
