import { STATUS_CODES } from 'node:http';
import { Type } from '@sinclair/typebox';
import { ERROR_CODES, INTERNAL_MESSAGE } from '../../errors';

const PROBLEM_SCHEMA_ID = 'Problem';
const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The RFC 9457 error body every REST failure carries; shared via app.addSchema, so routes reference it. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Always about:blank: the status and `code` carry the meaning.' }),
    title: Type.String({ description: 'The HTTP status phrase.' }),
    status: Type.Integer({ description: 'The HTTP status code, repeated.' }),
    detail: Type.String({ description: 'What went wrong, naming the field when one is at fault.' }),
    code: Type.Unsafe<(typeof ERROR_CODES)[number]>({ type: 'string', enum: [...ERROR_CODES], description: 'The ErrorCode name, the same the gRPC door maps to its status.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Dotted path of the offending field, e.g. vectors[0].vector[3] or options.topk.' }),
          message: Type.String(),
        }),
        { description: 'Field violations; the same list gRPC sends as google.rpc.BadRequest.' },
      ),
    ),
    instance: Type.Optional(Type.String({ description: 'The request path.' })),
  },
  { $id: PROBLEM_SCHEMA_ID, description: 'RFC 9457 problem details with the ErrorCode name and field violations.' },
);

/** When each status is answered, and an example of its body. */
const ANSWERS: Record<number, { when: string; code: string; detail: string; field?: string }> = {
  400: {
    when:
      'INVALID_ARGUMENT (bad field, malformed JSON, wrong dimension, bad filter, top-k out of range) or FAILED_PRECONDITION ' +
      '(model disabled, wrong model kind, model files missing).',
    code: 'INVALID_ARGUMENT',
    detail: 'vectors[0].vector: expected 4 dimensions, got 3',
    field: 'vectors[0].vector',
  },
  401: {
    when: 'UNAUTHENTICATED: no API key, or one that matches none (the answer carries WWW-Authenticate: Bearer). Send Authorization: Bearer <key>.',
    code: 'UNAUTHENTICATED',
    detail: 'invalid API key',
  },
  403: { when: 'PERMISSION_DENIED: the API key lacks the role this operation needs.', code: 'PERMISSION_DENIED', detail: "API key 'ingest' lacks the 'admin' role this operation needs" },
  404: { when: 'NOT_FOUND: the collection, vector or model does not exist.', code: 'NOT_FOUND', detail: "collection 'articles' not found" },
  409: { when: 'ALREADY_EXISTS: the name or id is taken.', code: 'ALREADY_EXISTS', detail: "collection 'articles' already exists" },
  413: {
    when: 'RESOURCE_EXHAUSTED: the body or batch is over a documented limit (10 000 vectors per call, 64 MiB per body).',
    code: 'RESOURCE_EXHAUSTED',
    detail: 'vectors: 10001 items; at most 10000 per call',
    field: 'vectors',
  },
  415: {
    when: 'INVALID_ARGUMENT with status 415: the body is not application/json.',
    code: 'INVALID_ARGUMENT',
    detail: "content-type: Content-Type 'text/plain' is not supported; send application/json",
    field: 'content-type',
  },
  431: {
    when: 'RESOURCE_EXHAUSTED with status 431: the request line and headers exceed 16 KiB (a query string that long, e.g. an over-long page_token).',
    code: 'RESOURCE_EXHAUSTED',
    detail: 'headers: the request line and headers exceed 16384 bytes',
    field: 'headers',
  },
  429: {
    when:
      "RESOURCE_EXHAUSTED: the caller's rate limit is spent, too many writes are queued for the collection, or calls for the model; " +
      'retry after Retry-After seconds.',
    code: 'RESOURCE_EXHAUSTED',
    detail: "collection 'articles': write queue full",
  },
  500: { when: 'INTERNAL: unexpected failure; the detail is generic and the cause is logged with the request id.', code: 'INTERNAL', detail: INTERNAL_MESSAGE },
  503: { when: 'UNAVAILABLE: the vector engine or model provider is down; retry after Retry-After seconds.', code: 'UNAVAILABLE', detail: 'vector engine unavailable' },
  504: { when: 'DEADLINE_EXCEEDED: a remote model provider did not answer in time.', code: 'DEADLINE_EXCEEDED', detail: 'deadline exceeded' },
};

/** OpenAPI entries for the problem+json answers a route can give (500 and 503 always apply). */
export function problemResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 431 | 504)[]) {
  const all = [...new Set<number>([...statuses, 500, 503])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((status) => [status, problemResponse(status)]));
}

function problemResponse(status: number) {
  const answer = ANSWERS[status]!;
  const example = {
    type: 'about:blank',
    title: STATUS_CODES[status],
    status,
    detail: answer.detail,
    code: answer.code,
    ...(answer.field === undefined ? {} : { errors: [{ field: answer.field, message: answer.detail.slice(answer.field.length + 2) }] }),
  };
  return {
    description: answer.when,
    content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: `${PROBLEM_SCHEMA_ID}#` }, example } },
  };
}
