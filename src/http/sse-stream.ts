import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, isDomainError } from '../errors';
import { httpStatusOf } from './http-status-table';
import { fromDomainError } from './problem-details';
import { callOptions } from './request-signal';

/** How one kind of event stream looks on the wire; both the native and the OpenAI streams use it. */
export interface EventStreamFormat<T> {
  /** Events written before the first item (e.g. OpenAI's role chunk). */
  preamble?: string[];
  /** The events, already formatted, for one item. */
  events(item: T): string[];
  /** The event announcing a failure after streaming began (the callee logs it). */
  failure(error: unknown): string;
}

/** One `data:` line event carrying JSON. */
export function dataEvent(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Sends an async sequence as Server-Sent Events (text/event-stream).
 *
 * The first item is pulled before anything is written, so bad input, a full queue or an unreachable
 * provider still answer as an ordinary error response with its status (the caller's error handler
 * sees the throw). After that the reply is taken over from Fastify: each event is written (and so
 * flushed) at once; a failure becomes the format's failure event, then the end. When the client
 * disconnects, the request's signal aborts (request-signal.ts), which stops the producer; the
 * iterator is closed either way so the producer's cleanup runs.
 */
export async function streamEvents<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  items: AsyncIterable<T>,
  format: EventStreamFormat<T>,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let next: IteratorResult<T>;
  try {
    next = await iterator.next();
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    throw error;
  }

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...definedHeaders(reply.getHeaders()),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // Proxies such as nginx would otherwise buffer the stream and defeat it.
    'x-accel-buffering': 'no',
  });
  const signal = callOptions(request).signal;
  const gone = (): boolean => signal?.aborted === true || res.destroyed;

  try {
    for (const text of format.preamble ?? []) await write(res, text);
    while (!next.done && !gone()) {
      for (const text of format.events(next.value)) await write(res, text);
      if (gone()) break;
      next = await iterator.next();
    }
  } catch (error) {
    if (!gone()) await write(res, format.failure(error));
    else request.log.info({ err: error }, 'event stream ended: the client went away');
  } finally {
    await iterator.return?.().catch(() => undefined);
    if (!res.destroyed) res.end();
  }
}

/** The native stream: one `data:` JSON event per item, failures as `event: error` with a problem body. */
export function sendEventStream<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  items: AsyncIterable<T>,
  toData: (item: T) => unknown,
): Promise<void> {
  return streamEvents(request, reply, items, {
    events: (item) => [dataEvent(toData(item))],
    failure: (error) => problemEvent(request, error),
  });
}

/** Writes one event, waiting out back-pressure unless the socket closes first. */
async function write(res: FastifyReply['raw'], text: string): Promise<void> {
  // A destroyed response takes no writes and will never drain or close again.
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

function problemEvent(request: FastifyRequest, error: unknown): string {
  const instance = request.url.split('?')[0];
  const known = isDomainError(error) ? error : errors.internal(error);
  const { problem, unexpected } = fromDomainError(known, isDomainError(error) ? httpStatusOf(error) : 500, instance);
  if (unexpected) request.log.error({ err: error }, 'event stream failed unexpectedly');
  else request.log.warn({ code: problem.code, detail: problem.detail }, 'event stream failed');
  return `event: error\ndata: ${JSON.stringify(problem)}\n\n`;
}

function definedHeaders(headers: Record<string, string | number | string[] | undefined>): Record<string, string | number | string[]> {
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string | number | string[]] => entry[1] !== undefined));
}
