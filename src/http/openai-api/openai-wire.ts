import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { ChatMessage, ChatRequest, CompletionRequest, Embeddings, FinishReason, ModelConfig, ResponseFormat, TextGeneration, ToolCall, ToolChoice } from '../../domain';
import { errors } from '../../errors';
import type { ChatCompletionBody, ChatCompletionResponse, CompletionBody, CompletionResponse } from './openai-completion-schemas';
import type { EmbeddingsBody, EmbeddingsResponse, ModelsResponse } from './openai-schemas';

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

type ChatBody = Static<typeof ChatCompletionBody>;

/** The sampling settings both completion routes share, by the names GenerateText takes. */
function sampling(body: ChatBody | Static<typeof CompletionBody>, maxTokens: number | null | undefined) {
  const parameters = {
    max_tokens: given(maxTokens),
    temperature: given(body.temperature),
    top_p: given(body.top_p),
    stop: given(body.stop),
    seed: given(body.seed),
  };
  return {
    parameters: Object.fromEntries(Object.entries(parameters).filter(([, v]) => v !== undefined)),
    choices: given(body.n),
    presencePenalty: given(body.presence_penalty),
    frequencyPenalty: given(body.frequency_penalty),
  };
}

/**
 * The request in the domain's terms. Content parts are OpenAI's encoding of text (only text parts
 * pass the schema) and are joined; `max_completion_tokens` is the newer name of `max_tokens`, so it
 * wins. Tools lose OpenAI's `{type: function, function: …}` envelope.
 */
export function chatRequest(body: ChatBody): ChatRequest {
  const format = given(body.response_format);
  const choice = given(body.tool_choice);
  return {
    messages: body.messages.map(chatMessage),
    ...sampling(body, given(body.max_completion_tokens) ?? given(body.max_tokens)),
    ...(format === undefined ? {} : { responseFormat: responseFormat(format) }),
    ...(body.tools ? { tools: body.tools.map((t) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters })) } : {}),
    ...(choice === undefined ? {} : { toolChoice: (typeof choice === 'string' ? choice : { name: choice.function.name }) satisfies ToolChoice }),
  };
}

function chatMessage(m: ChatBody['messages'][number]): ChatMessage {
  const content = m.content ?? '';
  return {
    role: m.role,
    content: typeof content === 'string' ? content : content.map((part) => part.text).join(''),
    ...(m.tool_calls ? { toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) } : {}),
    ...(m.tool_call_id === undefined ? {} : { toolCallId: m.tool_call_id }),
  };
}

function responseFormat(format: NonNullable<ChatBody['response_format']>): ResponseFormat {
  if (format.type === 'json_schema') return { type: 'json_schema', name: format.json_schema.name, ...(format.json_schema.schema ? { schema: format.json_schema.schema } : {}) };
  return { type: format.type };
}

export function completionRequest(body: Static<typeof CompletionBody>): CompletionRequest {
  return { prompt: body.prompt, ...sampling(body, body.max_tokens) };
}

/** The parts every answer of one completion shares. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

/** `chatcmpl-…` for chats, `cmpl-…` for completions, as OpenAI names them. */
export function completionIdentity(model: string, prefix: 'chatcmpl' | 'cmpl' = 'chatcmpl'): CompletionIdentity {
  return { id: `${prefix}-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model };
}

/**
 * Our finish reasons in OpenAI's closed set. `cancelled` never reaches a client that is still
 * there; it reads as an ordinary stop.
 */
const FINISH_REASON = { stop: 'stop', length: 'length', cancelled: 'stop', tool_calls: 'tool_calls' } as const satisfies Record<FinishReason, 'stop' | 'length' | 'tool_calls'>;

export function finishReasonOf(reason: FinishReason): 'stop' | 'length' | 'tool_calls' {
  return FINISH_REASON[reason];
}

/** Tool calls in OpenAI's envelope; `index` places each in a streamed delta. */
export function toolCallsOf(calls: readonly ToolCall[]) {
  return calls.map((c, index) => ({ index, id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }));
}

export function usageOf(generation: TextGeneration) {
  return { prompt_tokens: generation.promptTokens, completion_tokens: generation.completionTokens, total_tokens: generation.tokensUsed };
}

export function completionOutput(identity: CompletionIdentity, generation: TextGeneration): Static<typeof ChatCompletionResponse> {
  return {
    ...identity,
    object: 'chat.completion',
    choices: [{ index: 0, message: messageOf(generation), finish_reason: finishReasonOf(generation.finishReason), logprobs: null }],
    usage: usageOf(generation),
  };
}

/** An answer that called tools has no content (null, as OpenAI sends it). */
function messageOf(generation: TextGeneration) {
  if (generation.toolCalls === undefined) return { role: 'assistant' as const, content: generation.text };
  return { role: 'assistant' as const, content: null, tool_calls: toolCallsOf(generation.toolCalls).map(({ index: _index, ...call }) => call) };
}

export function textCompletionOutput(identity: CompletionIdentity, generation: TextGeneration): Static<typeof CompletionResponse> {
  return {
    ...identity,
    object: 'text_completion',
    choices: [{ index: 0, text: generation.text, finish_reason: finishReasonOf(generation.finishReason), logprobs: null }],
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
