import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { RouteOptions } from 'fastify';
import type { HttpApp } from './http-app-type';
import type { HttpDeps } from './http-deps';
import { withLinks } from './openapi-links';
import { OPENAI_PREFIX } from './openai-api/openai-prefix';
import { openAiErrorResponses } from './openai-api/openai-errors';
import { problemResponses, ProblemSchema } from './schemas/problem-schemas';

const DESCRIPTION =
  'Vector search and models over REST; the same service answers gRPC (taishang.ai.v1.VectorService and ' +
  'taishang.ai.v1.ModelService) on its own port. ' +
  'Bodies use the proto\'s snake_case field names. Every error is RFC 9457 application/problem+json with ' +
  '`code` (the ErrorCode name) and, for bad fields, `errors: [{field, message}]`. Each response carries ' +
  'x-request-id (the caller\'s, when given, or a generated one). ' +
  'When the service has API keys, every operation except health, probes and this document needs ' +
  '`Authorization: Bearer <key>` with the role the operation names (read, write or admin): 401 without a valid key, ' +
  '403 without the role, 429 with Retry-After over the per-key rate limit.';

const BEARER_AUTH = 'bearerAuth';

/**
 * OpenAPI 3.1 (JSON Schema 2020-12, so TypeBox schemas and their `examples` pass through unchanged)
 * from the route schemas, served at /openapi.json, with Swagger UI at /docs. Must be registered before
 * the routes: @fastify/swagger collects them as they are added.
 */
export async function registerOpenApi(app: HttpApp, options: HttpDeps['openapi'] = {}): Promise<void> {
  // Runs before @fastify/swagger's own onRoute hook (registered below), which collects the schema.
  app.addHook('onRoute', documentAccess);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'taishang-ai', version: options.version ?? '0.1.0', description: DESCRIPTION },
      servers: options.servers ?? [{ url: '/', description: 'The server this document is served from' }],
      tags: [
        { name: 'collections', description: 'Create, describe, list, drop and compact collections' },
        { name: 'indexes', description: 'The vector index of a collection' },
        { name: 'vectors', description: 'Insert, upsert, delete and fetch vectors' },
        { name: 'search', description: 'Similarity search with filters' },
        { name: 'health', description: 'Health RPC and probes' },
        { name: 'models', description: 'The model registry, text generation (plain and Server-Sent Events) and embeddings' },
        { name: 'openai', description: 'OpenAI-compatible embeddings, chat completions and models under /openai/v1, with OpenAI-style error bodies' },
      ],
      components: {
        securitySchemes: {
          [BEARER_AUTH]: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS or API_KEYS_FILE: Authorization: Bearer <key>.' },
        },
      },
    },
    // We only emit OpenAPI 3.x, never Swagger 2.
    transformObject: (document) => ('openapiObject' in document ? withLinks(document.openapiObject) : document.swaggerObject),
    // Shared schemas appear under components.schemas by their $id (Problem) instead of def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.addSchema(ProblemSchema);
  // Swagger UI loads the same document from /docs/json.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, persistAuthorization: true } });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}

/**
 * The route's access as OpenAPI sees it: `security: []` for public operations; otherwise the bearer
 * scheme and the 401, 403 and 429 answers, in the body shape of the route's prefix.
 */
function documentAccess(route: RouteOptions): void {
  const access = route.config?.access;
  if (route.schema === undefined || route.schema.hide === true || access === undefined) return;
  if (access === 'public') {
    route.schema = { ...route.schema, security: [] };
    return;
  }
  const refusals = route.method === 'HEAD'
    ? {
        401: { description: 'No valid API key.', type: 'null' },
        403: { description: 'The API key lacks the role.', type: 'null' },
        429: { description: 'Over the rate limit; retry after Retry-After seconds.', type: 'null' },
      }
    : route.url.startsWith(OPENAI_PREFIX)
      ? openAiErrorResponses(401, 403, 429)
      : problemResponses(401, 403, 429);
  const response = { ...(route.schema.response as Record<string, unknown> | undefined) };
  for (const [status, answer] of Object.entries(refusals)) response[status] ??= answer;
  route.schema = { ...route.schema, security: [{ [BEARER_AUTH]: [] }], response };
}
