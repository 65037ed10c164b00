import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TextChunk } from '../../domain';
import { dataEvent, streamEvents } from '../sse-stream';
import { finishReasonOf, toolCallsOf, usageOf, type CompletionIdentity } from './openai-wire';
import { toOpenAiError } from './openai-errors';

/**
 * A streamed chat completion as OpenAI sends it: `data: {chat.completion.chunk}` events (the first
 * carries the assistant role, the last an empty delta and the finish_reason), one usage chunk with
 * empty choices when stream_options.include_usage asked for it, then `data: [DONE]`.
 *
 * The first chunk is pulled before anything is written, so bad input or a full queue still answer
 * with their status and an error body. A later failure is sent as `data: {"error": …}` (what the
 * official clients throw on) and the stream ends without [DONE]. A client that disconnects aborts
 * the request's signal, which stops the generation; the iterator is closed either way.
 */
export function sendChatStream(
  request: FastifyRequest,
  reply: FastifyReply,
  chunks: AsyncIterable<TextChunk>,
  identity: CompletionIdentity,
  includeUsage: boolean,
  bodyLimitBytes: number,
): Promise<void> {
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    ...identity,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    ...usageField,
  });
  return streamEvents(request, reply, chunks, {
    preamble: [dataEvent(chunk({ role: 'assistant', content: '' }, null))],
    events: (item) => {
      // Tool calls arrive whole (the domain parses the constrained answer first), in one delta.
      if (!item.done) return [dataEvent(chunk(item.toolCalls ? { tool_calls: toolCallsOf(item.toolCalls) } : { content: item.text }, null))];
      const usage = includeUsage ? [dataEvent({ ...identity, object: 'chat.completion.chunk', choices: [], usage: usageOf(item.result) })] : [];
      return [dataEvent(chunk({}, finishReasonOf(item.result.finishReason))), ...usage, 'data: [DONE]\n\n'];
    },
    failure: (error) => streamFailure(request, error, bodyLimitBytes),
  });
}

/**
 * A streamed completion as OpenAI sends it: `data: {text_completion}` events with the text so far
 * produced, the last with an empty text and the finish_reason, a usage chunk when asked, `[DONE]`.
 * Failures as in sendChatStream.
 */
export function sendCompletionStream(
  request: FastifyRequest,
  reply: FastifyReply,
  chunks: AsyncIterable<TextChunk>,
  identity: CompletionIdentity,
  includeUsage: boolean,
  bodyLimitBytes: number,
): Promise<void> {
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (text: string, finishReason: string | null) => ({
    ...identity,
    object: 'text_completion',
    choices: [{ index: 0, text, finish_reason: finishReason, logprobs: null }],
    ...usageField,
  });
  return streamEvents(request, reply, chunks, {
    preamble: [],
    events: (item) => {
      if (!item.done) return [dataEvent(chunk(item.text, null))];
      const usage = includeUsage ? [dataEvent({ ...identity, object: 'text_completion', choices: [], usage: usageOf(item.result) })] : [];
      return [dataEvent(chunk('', finishReasonOf(item.result.finishReason))), ...usage, 'data: [DONE]\n\n'];
    },
    failure: (error) => streamFailure(request, error, bodyLimitBytes),
  });
}

function streamFailure(request: FastifyRequest, error: unknown, bodyLimitBytes: number): string {
  const answer = toOpenAiError(error, bodyLimitBytes, undefined);
  if (answer.unexpected) request.log.error({ err: error }, 'stream failed unexpectedly');
  else request.log.warn({ code: answer.error.code, detail: answer.error.message }, 'stream failed');
  return dataEvent({ error: answer.error });
}
