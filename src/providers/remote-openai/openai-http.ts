import type { DomainError } from '../../errors';
import { readErrorBody, retryAfterOf, upstreamError, type UpstreamFailure } from './openai-error-mapping';
import { sseData } from './openai-sse';

/** One request to the upstream server. */
export interface UpstreamRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: unknown;
  authorization: string | null;
  timeoutMs: number;
  /** The caller's signal: when it fires, the upstream request is aborted too. */
  signal?: AbortSignal;
  /** Names the server in error messages: "openai provider at http://host/v1". */
  where: string;
}

/** What the provider shares across calls: the fetch to use and the calls in flight (aborted on close). */
export interface UpstreamContext {
  fetch: typeof fetch;
  inFlight: Set<AbortController>;
}

/**
 * Ties one upstream request to the caller's signal and our timeout, and remembers which of them
 * fired, so that an abort is reported as CANCELLED or DEADLINE_EXCEEDED rather than a network error.
 * For streams the timeout is an idle timeout, restarted by every event (`touch`).
 */
class CallGuard {
  readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private readonly onCallerAbort = () => this.controller.abort(this.request.signal?.reason);

  constructor(private readonly request: UpstreamRequest, private readonly context: UpstreamContext) {
    context.inFlight.add(this.controller);
    if (request.signal?.aborted) this.controller.abort(request.signal.reason);
    else request.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.request.timeoutMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.request.signal?.removeEventListener('abort', this.onCallerAbort);
    this.context.inFlight.delete(this.controller);
  }

  /** Any throw during the call, as the failure it stands for. */
  failure(thrown: unknown): DomainError {
    const f: UpstreamFailure = this.request.signal?.aborted
      ? { kind: 'cancelled', reason: this.request.signal.reason }
      : this.timedOut
        ? { kind: 'timeout', timeoutMs: this.request.timeoutMs }
        : { kind: 'network', cause: thrown };
    return upstreamError(f, this.request.where);
  }
}

async function send(request: UpstreamRequest, context: UpstreamContext, guard: CallGuard): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.authorization !== null) headers.authorization = request.authorization;
  let response: Response;
  try {
    response = await context.fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: guard.controller.signal,
      // A redirect could lead anywhere, past PROVIDER_HOSTS; base_url must name the API itself.
      redirect: 'manual',
    });
  } catch (e) {
    throw guard.failure(e);
  }
  if (response.ok) return response;
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw upstreamError({ kind: 'redirect', status: response.status, location: response.headers.get('location') }, request.where);
  }
  let text = '';
  try {
    text = await response.text();
  } catch (e) {
    throw guard.failure(e);
  }
  const failure: UpstreamFailure = { kind: 'status', status: response.status, body: readErrorBody(text), retryAfterSeconds: retryAfterOf(response.headers) };
  throw upstreamError(failure, request.where);
}

/** A request whose answer is one JSON document. */
export async function requestJson(request: UpstreamRequest, context: UpstreamContext): Promise<unknown> {
  const guard = new CallGuard(request, context);
  try {
    const response = await send(request, context, guard);
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      throw guard.failure(e);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw upstreamError({ kind: 'malformed', detail: `not JSON: ${text.slice(0, 120)}` }, request.where);
    }
  } finally {
    guard.dispose();
  }
}

/**
 * A request answered with Server-Sent Events: yields each event's parsed JSON. An `error` event
 * mid-stream becomes a thrown DomainError; leaving the loop early aborts the upstream request.
 */
export async function* requestEvents(request: UpstreamRequest, context: UpstreamContext): AsyncGenerator<Record<string, unknown>> {
  const guard = new CallGuard(request, context);
  let events: AsyncGenerator<string> | undefined;
  try {
    const response = await send(request, context, guard);
    if (response.body === null) throw upstreamError({ kind: 'malformed', detail: 'empty stream' }, request.where);
    events = sseData(response.body as unknown as AsyncIterable<Uint8Array>);
    while (true) {
      let next: IteratorResult<string>;
      try {
        next = await events.next();
      } catch (e) {
        throw guard.failure(e);
      }
      if (next.done) return;
      guard.touch();
      const event = parseEvent(next.value, request.where);
      if (event.error !== undefined && event.error !== null) {
        throw upstreamError({ kind: 'stream-error', body: readErrorBody(next.value) }, request.where);
      }
      yield event;
    }
  } finally {
    // Ends the upstream request when the consumer stopped early (return) or failed, and releases the body.
    guard.controller.abort();
    await events?.return(undefined).catch(() => undefined);
    guard.dispose();
  }
}

function parseEvent(data: string, where: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(data);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw upstreamError({ kind: 'malformed', detail: `stream event is not a JSON object: ${data.slice(0, 120)}` }, where);
}
