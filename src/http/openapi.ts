import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { RouteOptions } from 'fastify';
import type { AccessControl } from '../domain';
import type { HttpApp } from './http-app-type';
import type { HttpDeps } from './http-deps';
import { withLinks } from './openapi-links';
import { OPENAI_PREFIX } from './openai-api/openai-prefix';
import { openAiErrorResponses } from './openai-api/openai-errors';
import { DOMAIN_RULES } from './schemas/common-schemas';
import { problemResponses, ProblemSchema } from './schemas/problem-schemas';
import { SNAPSHOT_REQUEST_BODY } from './schemas/snapshot-schemas';

const DESCRIPTION =
  'Vector search and models over REST; the same service answers gRPC (taishang.ai.v1.VectorService and ' +
  'taishang.ai.v1.ModelService) on its own port. ' +
  'Bodies use the proto\'s snake_case field names. Every error is RFC 9457 application/problem+json with ' +
  '`code` (the ErrorCode name) and, for bad fields, `errors: [{field, message}]`. Each response carries ' +
  'x-request-id (the caller\'s, when given, or a generated one). ' +
  'This document describes the running configuration: when the service has API keys, the operations that need one ' +
  'carry the bearerAuth security requirement (`Authorization: Bearer <key>` with the role the operation names: read, ' +
  'write or admin) and document 401 (with WWW-Authenticate: Bearer) and 403; without keys no operation needs one. ' +
  '429 with Retry-After answers a spent rate limit or a full queue. A method a path does not serve is 405 with Allow.';

const BEARER_AUTH = 'bearerAuth';

/**
 * OpenAPI 3.1 (JSON Schema 2020-12, so TypeBox schemas and their `examples` pass through unchanged)
 * from the route schemas, served at /openapi.json, with Swagger UI at /docs. Must be registered before
 * the routes: @fastify/swagger collects them as they are added.
 */
export async function registerOpenApi(app: HttpApp, access: AccessControl, options: HttpDeps['openapi'] = {}): Promise<void> {
  // Runs before @fastify/swagger's own onRoute hook (registered below), which collects the schema.
  app.addHook('onRoute', (route) => documentAccess(route, access));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'taishang-ai', version: options.version ?? '0.1.0', description: DESCRIPTION },
      servers: options.servers ?? [{ url: '/', description: 'The server this document is served from' }],
      tags: [
        { name: 'collections', description: 'Create, describe, list, drop and compact collections' },
        { name: 'indexes', description: 'The vector index of a collection' },
        { name: 'vectors', description: 'Insert, upsert, delete, fetch, list (page by page) and count vectors' },
        { name: 'aliases', description: 'Second names for collections, switched atomically' },
        { name: 'search', description: 'Similarity search with filters' },
        { name: 'snapshots', description: 'Download a collection as a portable file, upload one as a collection' },
        { name: 'health', description: 'Health RPC and probes' },
        { name: 'models', description: 'The model registry, text generation (plain and Server-Sent Events) and embeddings' },
        { name: 'openai', description: 'OpenAI-compatible embeddings, chat completions and models under /openai/v1, with OpenAI-style error bodies' },
      ],
      components: access.authRequired
        ? { securitySchemes: { [BEARER_AUTH]: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS or API_KEYS_FILE: Authorization: Bearer <key>.' } } }
        : {},
    },
    // We only emit OpenAPI 3.x, never Swagger 2.
    transformObject: (document) => ('openapiObject' in document ? withLinks(withBinaryBodies(withDomainRules(document.openapiObject))) : document.swaggerObject),
    // Shared schemas appear under components.schemas by their $id (Problem) instead of def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.addSchema(ProblemSchema);
  // Swagger UI loads the same document from /docs/json.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, persistAuthorization: true } });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}

/**
 * The route's access as OpenAPI sees it, for this configuration: the bearer scheme with the 401,
 * 403 and 429 answers (in the body shape of the route's prefix) where a call needs a key; no
 * security requirement where it needs none (public operations, and every one without keys), with
 * 429 still documented for the rate limit.
 */
function documentAccess(route: RouteOptions, access: AccessControl): void {
  const needed = route.config?.access;
  if (route.schema === undefined || route.schema.hide === true || needed === undefined) return;
  if (needed === 'public') {
    route.schema = { ...route.schema, security: [] };
    return;
  }
  const keyed = access.requiresKey(needed);
  const statuses = keyed ? ([401, 403, 429] as const) : ([429] as const);
  const refusals: Record<string, unknown> = route.method === 'HEAD'
    ? Object.fromEntries(statuses.map((status) => [status, { description: HEAD_REFUSALS[status], type: 'null' }]))
    : route.url.startsWith(OPENAI_PREFIX)
      ? openAiErrorResponses(...statuses)
      : problemResponses(...statuses);
  if (keyed) refusals[401] = { ...(refusals[401] as object), headers: { 'WWW-Authenticate': CHALLENGE } };
  const response = { ...(route.schema.response as Record<string, unknown> | undefined) };
  for (const [status, answer] of Object.entries(refusals)) response[status] ??= answer;
  route.schema = { ...route.schema, ...(keyed ? { security: [{ [BEARER_AUTH]: [] }] } : {}), response };
}

const HEAD_REFUSALS = { 401: 'No valid API key.', 403: 'The API key lacks the role.', 429: 'Over the rate limit; retry after Retry-After seconds.' } as const;

/** RFC 6750 §3: every 401 names the scheme to use. */
const CHALLENGE = { description: 'The authentication scheme to use: Bearer.', type: 'string', const: 'Bearer' };

/**
 * The document with each schema's DOMAIN_RULES merged into it: the constraints the domain enforces
 * are declared where they apply (path parameters, body fields), and the vendor keyword goes away.
 */
function withDomainRules<T>(document: T): T {
  const merge = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(merge);
    if (node === null || typeof node !== 'object') return node;
    const { [DOMAIN_RULES]: rules, ...rest } = node as Record<string, unknown>;
    const merged = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, key === 'examples' || key === 'example' ? value : merge(value)]));
    return rules === undefined ? merged : mergeRules(merged, rules as Record<string, unknown>);
  };
  return merge(document) as T;
}

function mergeRules(schema: Record<string, unknown>, rules: Record<string, unknown>): Record<string, unknown> {
  const { required, ...keywords } = rules;
  const out = { ...schema, ...keywords };
  if (Array.isArray(required)) out.required = [...new Set([...((schema.required as string[] | undefined) ?? []), ...required])];
  return out;
}

/** Request bodies read as streams, so stated here rather than as a validated schema (snapshot-schemas.ts). */
const BINARY_BODIES: Record<string, unknown> = { importSnapshot: SNAPSHOT_REQUEST_BODY };

function withBinaryBodies<T extends { paths?: unknown }>(document: T): T {
  for (const operations of Object.values((document.paths ?? {}) as Record<string, Record<string, { operationId?: string; requestBody?: unknown }>>)) {
    for (const operation of Object.values(operations)) {
      const body = operation.operationId === undefined ? undefined : BINARY_BODIES[operation.operationId];
      if (body !== undefined) operation.requestBody = body;
    }
  }
  return document;
}
