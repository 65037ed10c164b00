import { DomainError, errors } from '../../errors';

/** What went wrong talking to the upstream server, as facts; `upstreamError` decides the code. */
export type UpstreamFailure =
  /** Our caller's signal fired (cancel, client gone, or its deadline). */
  | { kind: 'cancelled'; reason: unknown }
  /** Our own per-call timeout (parameters.timeout_ms) fired. */
  | { kind: 'timeout'; timeoutMs: number }
  /** The server answered with a non-2xx status. */
  | { kind: 'status'; status: number; body: UpstreamErrorBody; retryAfterSeconds?: number }
  /** An `error` object inside an SSE stream, after a 200 had been sent. */
  | { kind: 'stream-error'; body: UpstreamErrorBody }
  /** No answer: refused, reset, DNS, TLS. */
  | { kind: 'network'; cause: unknown }
  /** A 3xx: redirects are not followed (they could lead past PROVIDER_HOSTS). */
  | { kind: 'redirect'; status: number; location: string | null }
  /** A 2xx whose body is not what the API promises. */
  | { kind: 'malformed'; detail: string };

/** The parts of an error body servers agree on: OpenAI `{error:{message,type,code,param}}`, Ollama `{error:"..."}`, FastAPI `{detail}`. */
export interface UpstreamErrorBody {
  message: string;
  type?: string;
  code?: string;
  /** The request field the server blames (OpenAI's `param`). */
  param?: string;
}

/**
 * The one mapping from upstream failures to our codes (CONVENTIONS.md, issue 3):
 *   caller aborted                → the signal's reason as every provider maps it (errors.abortedBy):
 *                                   its own DomainError, DEADLINE_EXCEEDED for a timeout, else CANCELLED
 *   our timeout                   → DEADLINE_EXCEEDED
 *   401, 403 (bad or missing key) → FAILED_PRECONDITION: a deployment problem, not the caller's
 *   429                           → RESOURCE_EXHAUSTED, Retry-After kept as retryAfterSeconds
 *   400, 422                      → INVALID_ARGUMENT with the server's message, naming the field its
 *                                   `param` blames in our words (messages → prompt); FAILED_PRECONDITION
 *                                   when the server says the model does not exist
 *   404                           → FAILED_PRECONDITION (model unknown upstream, or base_url wrong)
 *   413                           → RESOURCE_EXHAUSTED (payload too large)
 *   501                           → FAILED_PRECONDITION (endpoint not enabled, e.g. llama.cpp without --embeddings)
 *   408, 5xx, refused, reset, DNS → UNAVAILABLE (retryable)
 *   3xx (never followed)          → FAILED_PRECONDITION: base_url should name the API itself
 *   other 4xx, malformed 2xx      → FAILED_PRECONDITION: the server is not speaking the API we expect
 */
export function upstreamError(failure: UpstreamFailure, where: string): DomainError {
  switch (failure.kind) {
    case 'cancelled':
      return errors.abortedBy(failure.reason);
    case 'timeout':
      return new DomainError('DEADLINE_EXCEEDED', `${where} did not answer within ${failure.timeoutMs} ms (parameters.timeout_ms)`);
    case 'network':
      return errors.unavailable(`${where} is unreachable (${networkCode(failure.cause)})`, failure.cause);
    case 'malformed':
      return errors.failedPrecondition(`${where} answered with a body that is not OpenAI-compatible: ${failure.detail}`);
    case 'redirect':
      return errors.failedPrecondition(`${where} answered ${failure.status}, a redirect${failure.location === null ? '' : ` to ${clip(failure.location)}`}; redirects are not followed: set base_url to the API's own address`);
    case 'stream-error':
      return upstreamError({ kind: 'status', status: statusOfErrorType(failure.body), body: failure.body }, where);
    case 'status':
      return fromStatus(failure.status, failure.body, failure.retryAfterSeconds, where);
  }
}

function fromStatus(status: number, body: UpstreamErrorBody, retryAfterSeconds: number | undefined, where: string): DomainError {
  const said = `${where} answered ${status}: ${body.message}`;
  if (status === 401 || status === 403) {
    return errors.failedPrecondition(`${said} (check the API key in the variable named by parameters.api_key_env)`);
  }
  if (status === 429) return new DomainError('RESOURCE_EXHAUSTED', said, { retryAfterSeconds: retryAfterSeconds ?? 1 });
  if (status === 408 || (status >= 500 && status !== 501)) return new DomainError('UNAVAILABLE', said, { retryAfterSeconds: retryAfterSeconds ?? 1 });
  if (status === 413) return new DomainError('RESOURCE_EXHAUSTED', said, { reason: 'PAYLOAD_TOO_LARGE' });
  if (status === 404 || status === 501 || saysModelMissing(body)) return errors.failedPrecondition(said);
  // A taishang-ai upstream says which 400 it meant; keep a precondition a precondition.
  if ((status === 400 || status === 422) && body.code === 'failed_precondition') return errors.failedPrecondition(said);
  if (status === 400 || status === 422) {
    const violations = body.param === undefined ? [] : [{ field: fieldOf(body.param), message: body.message }];
    return new DomainError('INVALID_ARGUMENT', said, { violations });
  }
  return errors.failedPrecondition(said);
}

const GENERATION_PARAMS = new Set(['max_tokens', 'temperature', 'top_p', 'stop', 'seed']);

/**
 * An OpenAI request field as the caller of this provider named it: the chat messages carry the
 * prompt, `input` the texts, the sampling settings are `parameters.*` (this service's own
 * /openai/v1 renames the other way). Fields with no counterpart keep the server's name.
 */
function fieldOf(param: string): string {
  if (param === 'messages' || param.startsWith('messages[')) return 'prompt';
  if (param === 'input' || param.startsWith('input[')) return `texts${param.slice('input'.length)}`;
  if (param === 'max_completion_tokens') return 'parameters.max_tokens';
  return GENERATION_PARAMS.has(param) ? `parameters.${param}` : param;
}

/** Stream errors carry no status; the OpenAI error `type` says which family it belongs to. */
function statusOfErrorType(body: UpstreamErrorBody): number {
  const t = `${body.type ?? ''} ${body.code ?? ''}`;
  if (/rate_limit|insufficient_quota|requests|tokens/.test(t)) return 429;
  if (/authentication|invalid_api_key|permission/.test(t)) return 401;
  if (/model_not_found/.test(t)) return 404;
  if (/invalid_request|invalid_argument/.test(t)) return 400;
  return 502;
}

function saysModelMissing(body: UpstreamErrorBody): boolean {
  return body.code === 'model_not_found' || /model\b.*\b(not found|does not exist|not exist)/i.test(body.message);
}

/** Node's fetch wraps the socket error: TypeError('fetch failed') with `cause.code` (or an AggregateError of them). */
function networkCode(cause: unknown): string {
  let e: unknown = cause;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const obj = e as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof obj.code === 'string') return obj.code;
    e = Array.isArray(obj.errors) && obj.errors.length > 0 ? obj.errors[0] : obj.cause;
  }
  return cause instanceof Error ? cause.message : 'connection failed';
}

/** Reads the message out of whatever error body the server sent; long bodies are cut. */
export function readErrorBody(text: string): UpstreamErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: clip(text.trim() || 'no error message') };
  }
  const obj = (parsed ?? {}) as Record<string, unknown>;
  const error = obj.error;
  if (error !== null && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    return {
      message: clip(typeof e.message === 'string' ? e.message : JSON.stringify(e)),
      type: typeof e.type === 'string' ? e.type : undefined,
      code: typeof e.code === 'string' ? e.code : undefined,
      param: typeof e.param === 'string' && e.param !== '' ? clip(e.param) : undefined,
    };
  }
  if (typeof error === 'string') return { message: clip(error) };
  const detail = obj.detail ?? obj.message;
  return { message: clip(typeof detail === 'string' ? detail : text) };
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); OpenAI also sends retry-after-ms. */
export function retryAfterOf(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return Math.max(ms / 1000, 0);
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(Math.ceil((at - now) / 1000), 0);
}

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
