import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GenerationChunk } from '../../domain';
import { callOptions } from '../request-signal';
import { finishReasonOf, usageOf, type CompletionIdentity } from './openai-conversion';
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
export async function sendChatStream(
  request: FastifyRequest,
  reply: FastifyReply,
  chunks: AsyncIterable<GenerationChunk>,
  identity: CompletionIdentity,
  includeUsage: boolean,
  bodyLimitBytes: number,
): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  let next: IteratorResult<GenerationChunk>;
  try {
    next = await iterator.next();
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    throw error;
  }

  reply.hijack();
  const res = reply.raw;
  const headers = Object.fromEntries(Object.entries(reply.getHeaders()).filter((e): e is [string, string | number | string[]] => e[1] !== undefined));
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
  const signal = callOptions(request).signal;
  const gone = (): boolean => signal?.aborted === true || res.destroyed;
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, string>, finishReason: string | null) => ({
    ...identity,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    ...usageField,
  });

  try {
    await write(res, event(chunk({ role: 'assistant', content: '' }, null)));
    while (!next.done && !gone()) {
      const item = next.value;
      if (!item.done) await write(res, event(chunk({ content: item.text }, null)));
      else {
        await write(res, event(chunk({}, finishReasonOf(item.result.finishReason))));
        if (includeUsage) await write(res, event({ ...identity, object: 'chat.completion.chunk', choices: [], usage: usageOf(item.result) }));
        await write(res, 'data: [DONE]\n\n');
      }
      if (gone()) break;
      next = await iterator.next();
    }
  } catch (error) {
    if (gone()) request.log.info({ err: error }, 'chat stream ended: the client went away');
    else {
      const answer = toOpenAiError(error, bodyLimitBytes, undefined);
      if (answer.unexpected) request.log.error({ err: error }, 'chat stream failed unexpectedly');
      else request.log.warn({ code: answer.error.code, detail: answer.error.message }, 'chat stream failed');
      await write(res, event({ error: answer.error }));
    }
  } finally {
    await iterator.return?.().catch(() => undefined);
    if (!res.destroyed) res.end();
  }
}

function event(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** Writes one event, waiting out back-pressure unless the socket closes first. */
async function write(res: FastifyReply['raw'], text: string): Promise<void> {
  if (res.destroyed || res.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
