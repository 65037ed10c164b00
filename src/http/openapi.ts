import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HttpApp } from './http-app-type';
import type { HttpDeps } from './http-deps';
import { ProblemSchema } from './schemas/problem-schemas';

const DESCRIPTION =
  'Vector search and models over REST; the same service answers gRPC (taishang.ai.v1.VectorService and ' +
  'taishang.ai.v1.ModelService) on its own port. ' +
  'Bodies use the proto\'s snake_case field names. Every error is RFC 9457 application/problem+json with ' +
  '`code` (the ErrorCode name) and, for bad fields, `errors: [{field, message}]`. Each response carries ' +
  'x-request-id (the caller\'s, when given, or a generated one).';

/**
 * OpenAPI 3.1 (JSON Schema 2020-12, so TypeBox schemas and their `examples` pass through unchanged)
 * from the route schemas, served at /openapi.json, with Swagger UI at /docs. Must be registered before
 * the routes: @fastify/swagger collects them as they are added.
 */
export async function registerOpenApi(app: HttpApp, options: HttpDeps['openapi'] = {}): Promise<void> {
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
    },
    // Shared schemas appear under components.schemas by their $id (Problem) instead of def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.addSchema(ProblemSchema);
  // Swagger UI loads the same document from /docs/json.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
