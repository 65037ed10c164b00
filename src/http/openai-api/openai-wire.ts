import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { EmbedOutput, FinishReason, GenerationResult, ModelConfig } from '../../domain';
import { errors } from '../../errors';
import type { ChatCompletionBody, ChatCompletionResponse, ChatMessage, EmbeddingsBody, EmbeddingsResponse, ModelsResponse } from './openai-schemas';

/** OpenAI wire shapes ⇄ ModelService calls. */

/** `input` as texts; the shape is checked here for a clearer message than a schema union gives. */
export function embeddingTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string')) return input as string[];
  const tokens = Array.isArray(input) && input.some((x) => typeof x === 'number' || Array.isArray(x));
  throw errors.invalidArgument('input', tokens ? 'token arrays are not supported; send text' : 'must be a string or a non-empty array of strings');
}

/** Our models do not shorten embeddings, so `dimensions` must name the size they already have. */
export function checkDimensions(requested: number | undefined, output: EmbedOutput, model: string): void {
  if (requested !== undefined && requested !== output.dimension) {
    throw errors.invalidArgument('dimensions', `model '${model}' produces ${output.dimension}-dimensional embeddings and cannot change that; omit dimensions or send ${output.dimension}`);
  }
}

export function embeddingsOutput(body: Static<typeof EmbeddingsBody>, output: EmbedOutput): Static<typeof EmbeddingsResponse> {
  const base64 = body.encoding_format === 'base64';
  return {
    object: 'list',
    data: output.vectors.map((vector, index) => ({ object: 'embedding' as const, index, embedding: base64 ? float32Base64(vector) : vector })),
    model: body.model,
    // 0 when the provider does not count tokens: "not counted" rather than a guess.
    usage: { prompt_tokens: output.tokens ?? 0, total_tokens: output.tokens ?? 0 },
  };
}

/** OpenAI's base64 encoding: the float32 values, little-endian, as the SDKs decode them. */
function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => bytes.writeFloatLE(x, i * 4));
  return bytes.toString('base64');
}

const ROLE_LABELS: Record<string, string> = { system: 'System', developer: 'System', user: 'User', assistant: 'Assistant' };

/**
 * The domain generates from one prompt string, and the model's own chat template wraps it as a
 * user turn. One user message is therefore sent as it is (so a single-turn chat equals
 * GenerateText with that prompt); a longer conversation is rendered as a labelled transcript,
 * "System: …\n\nUser: …\n\nAssistant: …", inside that one turn.
 */
export function promptOf(messages: Static<typeof ChatMessage>[]): string {
  const turns = messages.map((m, i) => {
    const label = ROLE_LABELS[m.role];
    if (label === undefined) throw errors.invalidArgument(`messages[${i}].role`, `'${m.role}' is not supported; use system, developer, user or assistant`);
    const text = typeof m.content === 'string' ? m.content : m.content.map((part) => part.text).join('');
    return { role: m.role, label, text };
  });
  if (turns.length === 1 && turns[0]!.role === 'user') return turns[0]!.text;
  return turns.map((t) => `${t.label}: ${t.text}`).join('\n\n');
}

/** The generation parameters by the names the domain checks (it reports them as parameters.x). */
export function chatParameters(body: Static<typeof ChatCompletionBody>): Record<string, unknown> {
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw errors.invalidArgument('n', 'only 1 choice is supported');
  for (const key of ['presence_penalty', 'frequency_penalty'] as const) {
    const v = body[key];
    if (v !== undefined && v !== null && v !== 0) throw errors.invalidArgument(key, 'is not supported (only 0)');
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const out: Record<string, unknown> = {};
  if (maxTokens !== undefined && maxTokens !== null) out.max_tokens = maxTokens;
  if (body.temperature !== undefined && body.temperature !== null) out.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) out.top_p = body.top_p;
  if (body.stop !== undefined && body.stop !== null) out.stop = body.stop;
  if (body.seed !== undefined && body.seed !== null) out.seed = body.seed;
  return out;
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

/** `cancelled` never reaches a client that is still there; it reads as an ordinary stop. */
export function finishReasonOf(reason: FinishReason): 'stop' | 'length' {
  return reason === 'length' ? 'length' : 'stop';
}

export function usageOf(result: GenerationResult) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
}

export function completionOutput(identity: CompletionIdentity, result: GenerationResult): Static<typeof ChatCompletionResponse> {
  return {
    ...identity,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: finishReasonOf(result.finishReason), logprobs: null }],
    usage: usageOf(result),
  };
}

export function modelsOutput(models: ModelConfig[], created: number): Static<typeof ModelsResponse> {
  return { object: 'list', data: models.filter((m) => m.enabled).map((m) => modelOutput(m, created)) };
}

export function modelOutput(model: ModelConfig, created: number) {
  return { id: model.name, object: 'model' as const, created, owned_by: 'taishang-ai' as const };
}
