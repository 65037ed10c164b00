import { DomainError, isDomainError } from '../../errors';
import { chatPrompt, type ChatRequest } from './chat-prompt';
import { lastChunk, type TextChunk } from './model-results';
import type { GenerationChunk, GenerationParams, GenerationResult, ToolCall } from './model-types';
import { planChat, readToolAnswer } from './structured-output';

/** How a generation runs besides its sampling parameters, and how its result is read back. */
export interface GenerationShape {
  /** The provider settings the request chose (raw completion, an enforced output form). */
  form?: Pick<GenerationParams, 'raw' | 'output'>;
  /** The result as the caller reads it (tool calls parsed out of a constrained answer). */
  read?: (result: GenerationResult) => GenerationResult & { toolCalls?: ToolCall[] };
}

/** A chat's prompt (the tools' preface first) and shape (structured-output.ts). */
export function chatShape(request: ChatRequest): { prompt: string; shape: GenerationShape } {
  const plan = planChat(request);
  const prompt = chatPrompt(request, plan.preface);
  return { prompt, shape: { form: plan.output === undefined ? {} : { output: plan.output }, read: plan.readsToolCall ? readToolAnswer : undefined } };
}

/** A completion continues its prompt without the chat template. */
export const COMPLETION_SHAPE: GenerationShape = { form: { raw: true } };

/**
 * A provider's chunks as the caller reads them. Without `read`, as they come, the last with its
 * totals. With it, the text is held until the answer is whole (a half-generated tool call cannot be
 * parsed), then sent as one chunk carrying the calls or the content, before the last.
 */
export async function* shapedChunks(model: string, chunks: AsyncIterable<GenerationChunk>, shape: GenerationShape, promptField: string): AsyncIterable<TextChunk> {
  const read = shape.read;
  try {
    for await (const chunk of chunks) {
      if (!chunk.done) {
        if (read === undefined) yield chunk;
        continue;
      }
      const answer: GenerationResult & { toolCalls?: ToolCall[] } = read === undefined ? chunk.result : read(chunk.result);
      if (read !== undefined && (answer.toolCalls !== undefined || answer.text !== '')) {
        yield { done: false, text: answer.text, ...(answer.toolCalls ? { toolCalls: answer.toolCalls } : {}) };
      }
      yield lastChunk(model, answer);
    }
  } catch (error) {
    throw renamedPrompt(error, promptField);
  }
}

/**
 * A provider names the prompt it was given `prompt`; a chat's prompt is its messages. Renamed here,
 * so each door's one field table sees the domain's name for the request it serves.
 */
export function renamedPrompt(error: unknown, promptField: string): unknown {
  if (!isDomainError(error) || promptField === 'prompt' || !error.violations.some((v) => v.field === 'prompt')) return error;
  const violations = error.violations.map((v) => (v.field === 'prompt' ? { ...v, field: promptField } : v));
  const message = error.message.startsWith('prompt: ') ? `${promptField}: ${error.message.slice('prompt: '.length)}` : error.message;
  return new DomainError(error.code, message, { violations, cause: error, retryAfterSeconds: error.retryAfterSeconds, reason: error.reason });
}
