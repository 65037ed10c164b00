import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, INTERNAL_MESSAGE, isDomainError, type ErrorCode } from '../../errors';
import { routeBodyLimit } from '../error-handlers';
import { translateFastifyError } from '../fastify-error-translation';
import { httpStatusOf } from '../http-status-table';
import { REQUEST_ID_HEADER } from '../request-id';
import { OpenAiErrorBody } from './openai-schemas';

/** The `error` object of an OpenAI error body. */
export interface OpenAiError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/**
 * ErrorCode → OpenAI error `type`. The status comes from the shared HTTP table, so /openai/v1 and
 * the rest of the REST door answer the same status for the same failure; only the body differs.
 */
const typeByCode = {
  INVALID_ARGUMENT: 'invalid_request_error',
  NOT_FOUND: 'invalid_request_error',
  ALREADY_EXISTS: 'invalid_request_error',
  FAILED_PRECONDITION: 'invalid_request_error',
  RESOURCE_EXHAUSTED: 'rate_limit_error',
  UNAUTHENTICATED: 'authentication_error',
  PERMISSION_DENIED: 'permission_error',
  UNAVAILABLE: 'server_error',
  DEADLINE_EXCEEDED: 'server_error',
  CANCELLED: 'server_error',
  INTERNAL: 'server_error',
  DATA_LOSS: 'invalid_request_error',
} as const satisfies Record<ErrorCode, string>;

/**
 * The domain names fields in its own terms (the proto's request paths, chat-prompt.ts for chat);
 * these are the ones OpenAI's requests name otherwise. The one field-name table of this door.
 */
const OPENAI_FIELD: Readonly<Record<string, string>> = {
  model_name: 'model',
  // GetModelInfo's name; here the path's {model}.
  name: 'model',
  // GenerateEmbedding's one text and GenerateEmbeddings' texts are both OpenAI's `input`.
  text: 'input',
  texts: 'input',
  choices: 'n',
};

/** A domain field path as the OpenAI request names it: `texts[3]` → `input[3]`, `parameters.top_p` → `top_p`. */
export function openAiParam(field: string): string {
  const unprefixed = field.replace(/^parameters\./, '');
  const head = /^[^.[]+/.exec(unprefixed)?.[0] ?? unprefixed;
  const renamed = OPENAI_FIELD[head];
  return renamed === undefined ? unprefixed : renamed + unprefixed.slice(head.length);
}

/** The message with each violation's field named the OpenAI way (the message starts "field: …"). */
function renamedMessage(error: DomainError): string {
  let message = error.message;
  for (const v of error.violations) message = message.replace(`${v.field}: `, `${openAiParam(v.field)}: `);
  return message;
}

/** An OpenAI error with its status and Retry-After, from anything thrown while serving /openai/v1. */
export function toOpenAiError(error: unknown, bodyLimitBytes: number, contentType: string | undefined): { status: number; error: OpenAiError; retryAfterSeconds?: number; unexpected: boolean } {
  let known: DomainError | undefined;
  let status = 500;
  if (isDomainError(error)) {
    known = error;
    status = httpStatusOf(error);
  } else {
    const translated = translateFastifyError(error, { bodyLimitBytes, contentType });
    if (translated) ({ error: known, status } = translated);
  }
  if (known === undefined || known.code === 'INTERNAL') {
    return { status: 500, error: { message: INTERNAL_MESSAGE, type: 'server_error', param: null, code: 'internal' }, unexpected: true };
  }
  // On these routes the only thing that can be missing is the model the request names.
  const modelMissing = known.code === 'NOT_FOUND';
  const field = known.violations[0]?.field;
  const body: OpenAiError = {
    message: renamedMessage(known),
    type: typeByCode[known.code],
    param: modelMissing ? 'model' : field === undefined ? null : openAiParam(field),
    code: modelMissing ? 'model_not_found' : known.code.toLowerCase(),
  };
  return { status, error: body, retryAfterSeconds: known.retryAfterSeconds, unexpected: false };
}

/** Writes an OpenAI error body as the answer; the cause of an unexpected error is logged, never sent. */
export function sendOpenAiError(error: unknown, request: FastifyRequest, reply: FastifyReply, bodyLimitBytes: number): FastifyReply {
  const answer = toOpenAiError(error, routeBodyLimit(request, bodyLimitBytes), request.headers['content-type']);
  if (answer.unexpected) request.log.error({ err: error }, 'request failed unexpectedly');
  else if (answer.status >= 500) request.log.warn({ code: answer.error.code, detail: answer.error.message }, 'request failed');
  else request.log.info({ code: answer.error.code, detail: answer.error.message }, 'request rejected');
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(answer.retryAfterSeconds)));
  reply.header(REQUEST_ID_HEADER, request.id);
  // A string bypasses the route's response serializers, which know only the success shapes.
  return reply.code(answer.status).type('application/json; charset=utf-8').send(JSON.stringify({ error: answer.error }));
}

/** OpenAI answers an unknown path with 404 and code unknown_url; so does this prefix. */
export function sendUnknownUrl(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0];
  const error: OpenAiError = { message: `Invalid URL (${request.method} ${path})`, type: 'invalid_request_error', param: null, code: 'unknown_url' };
  reply.header(REQUEST_ID_HEADER, request.id);
  return reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify({ error }));
}

/** When each status is answered, and an example of its body. */
const ANSWERS: Record<number, { when: string; error: OpenAiError }> = {
  400: {
    when: 'invalid_request_error: a bad field (param names it), the wrong kind of model, a disabled model.',
    error: { message: 'input: token arrays are not supported; send text', type: 'invalid_request_error', param: 'input', code: 'invalid_argument' },
  },
  401: {
    when: 'authentication_error: no API key, or one that matches none. Send Authorization: Bearer <key>.',
    error: { message: 'invalid API key', type: 'authentication_error', param: null, code: 'unauthenticated' },
  },
  403: {
    when: "permission_error: the API key lacks the 'read' role.",
    error: { message: "API key 'ingest' lacks the 'read' role this operation needs", type: 'permission_error', param: null, code: 'permission_denied' },
  },
  404: { when: 'model_not_found: no such model.', error: { message: "model 'gpt-4' not found", type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
  413: {
    when: 'The body is over the size limit, or too many inputs.',
    error: { message: 'input: at most 2048 texts per call', type: 'rate_limit_error', param: 'input', code: 'resource_exhausted' },
  },
  415: {
    when: 'The body is not application/json.',
    error: { message: "content-type: Content-Type 'text/plain' is not supported; send application/json", type: 'invalid_request_error', param: 'content-type', code: 'invalid_argument' },
  },
  429: {
    when: "rate_limit_error: the caller's rate limit is spent or the model's queue is full; retry after Retry-After seconds.",
    error: { message: "model 'minilm': embedding queue is full (4096 texts); retry later", type: 'rate_limit_error', param: null, code: 'resource_exhausted' },
  },
  500: { when: 'server_error: unexpected failure (logged with the request id).', error: { message: INTERNAL_MESSAGE, type: 'server_error', param: null, code: 'internal' } },
  503: {
    when: "server_error: the model's provider is unavailable; retry after Retry-After seconds.",
    error: { message: "model 'remote' (openai at http://10.0.0.5:8000/v1) is unreachable (ECONNREFUSED)", type: 'server_error', param: null, code: 'unavailable' },
  },
  504: { when: 'server_error: the deadline passed.', error: { message: 'deadline exceeded', type: 'server_error', param: null, code: 'deadline_exceeded' } },
};

/** OpenAPI entries for the error answers of a route, in OpenAI's body shape (500 and 503 always apply). */
export function openAiErrorResponses(...statuses: (400 | 401 | 403 | 404 | 413 | 415 | 429 | 504)[]) {
  const all = [...new Set<number>([...statuses, 500, 503])].sort((a, b) => a - b);
  return Object.fromEntries(
    all.map((status) => {
      const answer = ANSWERS[status]!;
      return [status, { description: answer.when, content: { 'application/json': { schema: OpenAiErrorBody, example: { error: answer.error } } } }];
    }),
  );
}
