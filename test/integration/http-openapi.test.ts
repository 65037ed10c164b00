import { startRestServer, type RestTestServer } from '../support/rest-test-server';
import { useLanceStore } from '../support/stores';

/** Every REST operation of CONVENTIONS.md this door serves, as "METHOD path". */
const ROUTES = [
  'POST /v1/collections',
  'GET /v1/collections',
  'GET /v1/collections/{name}',
  'HEAD /v1/collections/{name}',
  'DELETE /v1/collections/{name}',
  'GET /v1/collections/{name}/stats',
  'POST /v1/collections/{name}/compact',
  'PUT /v1/collections/{name}/index',
  'GET /v1/collections/{name}/index',
  'DELETE /v1/collections/{name}/index',
  'POST /v1/collections/{name}/vectors',
  'PUT /v1/collections/{name}/vectors',
  'POST /v1/collections/{name}/vectors/delete',
  'GET /v1/collections/{name}/vectors/{id}',
  'POST /v1/collections/{name}/search',
  'GET /v1/health',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'POST /v1/models',
  'GET /v1/models',
  'GET /v1/models/{name}',
  'PUT /v1/models/{name}',
  'DELETE /v1/models/{name}',
  'POST /v1/models/{name}/generate',
  'POST /v1/models/{name}/generate/stream',
  'POST /v1/models/{name}/embed',
  'POST /v1/models/{name}/embeddings',
  'POST /v1/models/{name}/rerank',
  'POST /openai/v1/embeddings',
  'POST /openai/v1/chat/completions',
  'POST /openai/v1/rerank',
  'GET /openai/v1/models',
  'GET /openai/v1/models/{model}',
];

/** Operations anyone may call, even when the service has API keys. */
const PUBLIC_ROUTES = ['GET /v1/health', 'GET /healthz', 'GET /readyz'];

interface Operation {
  security?: Record<string, string[]>[];
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { example?: unknown; schema?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { example?: unknown }> }>;
}

describe('OpenAPI document and Swagger UI', () => {
  const lance = useLanceStore();
  let server: RestTestServer;
  let spec: { components: { securitySchemes?: Record<string, unknown> }; openapi: string; info: { title: string; version: string }; servers: unknown[]; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    server = await startRestServer(lance.store);
    const answer = await server.call('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    spec = JSON.parse(answer.text);
  });

  afterAll(async () => {
    await server.close();
  });

  const operations = (): [string, Operation][] =>
    Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]): [string, Operation] => [`${m.toUpperCase()} ${path}`, op]));

  it('is OpenAPI 3 with title, version and servers', () => {
    expect(spec.openapi).toMatch(/^3\.(0|1)\.\d+$/);
    expect(spec.info).toMatchObject({ title: 'taishang-ai', version: expect.any(String) });
    expect(spec.servers.length).toBeGreaterThan(0);
  });

  it('validates against the OpenAPI JSON schema', async () => {
    // ESM-only package: loaded through import(), which jest keeps (see jest.config.js).
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(structuredClone(spec));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists exactly the served routes', () => {
    expect(operations().map(([route]) => route).sort()).toEqual([...ROUTES].sort());
  });

  it('gives every operation a unique operationId, a summary, a description and tags', () => {
    const ids = operations().map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ROUTES.length);
    for (const [route, op] of operations()) {
      expect({ route, id: typeof op.operationId, summary: typeof op.summary, description: typeof op.description, tags: op.tags?.length }).toEqual({
        route,
        id: 'string',
        summary: 'string',
        description: 'string',
        tags: 1,
      });
    }
  });

  it('links a created collection to the calls on it, and an insert to fetching what it wrote; every link resolves', () => {
    type Link = { operationId: string; parameters: Record<string, string> };
    const byId = new Map(operations().map(([route, op]) => [op.operationId, { route, op }]));
    const links: [string, string, Link][] = [];
    for (const [route, op] of operations()) {
      for (const [status, response] of Object.entries((op as { responses?: Record<string, { links?: Record<string, Link> }> }).responses ?? {})) {
        for (const link of Object.values(response.links ?? {})) links.push([route, status, link]);
      }
    }
    expect(links.filter(([route]) => route === 'POST /v1/collections').map(([, , l]) => l.operationId)).toEqual(
      expect.arrayContaining(['insertVectors', 'searchVectors', 'dropCollection']),
    );
    expect(links.find(([route]) => route === 'POST /v1/collections/{name}/vectors')?.[2]).toMatchObject({ operationId: expect.any(String) });
    for (const [route, status, link] of links) {
      const target = byId.get(link.operationId);
      expect({ route, status, target: target?.route }).toEqual({ route, status, target: expect.any(String) });
      // Every parameter a link fills is a path parameter of its target.
      for (const name of Object.keys(link.parameters)) expect({ link: link.operationId, name, inPath: target!.route.includes(`{${name}}`) }).toEqual({ link: link.operationId, name, inPath: true });
    }
  });

  it('gives every request body and every JSON response an example', () => {
    for (const [route, op] of operations()) {
      if (op.requestBody) expect({ route, example: op.requestBody.content['application/json']?.example !== undefined }).toEqual({ route, example: true });
      for (const [status, response] of Object.entries(op.responses)) {
        expect({ route, status, description: typeof response.description }).toEqual({ route, status, description: 'string' });
        for (const [type, media] of Object.entries(response.content ?? {})) {
          expect({ route, status, type, example: media.example !== undefined }).toEqual({ route, status, type, example: true });
        }
      }
    }
  });

  it('documents errors as problem+json', () => {
    const insert = spec.paths['/v1/collections/{name}/vectors']!.post!;
    expect(Object.keys(insert.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409', '413', '415', '500']));
    expect(Object.keys(insert.responses['409']!.content!)).toEqual(['application/problem+json']);
  });

  it('documents the generation stream as Server-Sent Events and its early errors as problem+json', () => {
    const stream = spec.paths['/v1/models/{name}/generate/stream']!.post!;
    expect(Object.keys(stream.responses['200']!.content!)).toEqual(['text/event-stream']);
    expect(Object.keys(stream.responses['404']!.content!)).toEqual(['application/problem+json']);
  });

  it('declares bearer API keys: every operation but health and probes needs one, and documents 401, 403 and 429', () => {
    expect(spec.components.securitySchemes).toEqual({ bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    for (const [route, op] of operations()) {
      if (PUBLIC_ROUTES.includes(route)) {
        expect({ route, security: op.security }).toEqual({ route, security: [] });
      } else {
        expect({ route, security: op.security, refusals: ['401', '403', '429'].filter((s) => s in op.responses) }).toEqual({
          route,
          security: [{ bearerAuth: [] }],
          refusals: ['401', '403', '429'],
        });
      }
    }
    const listOpenAi = spec.paths['/openai/v1/models']!.get!;
    expect(Object.keys(listOpenAi.responses['401']!.content!)).toEqual(['application/json']);
    expect(Object.keys(spec.paths['/v1/collections']!.get!.responses['403']!.content!)).toEqual(['application/problem+json']);
  });

  it('serves Swagger UI at /docs', async () => {
    const answer = await server.call('GET', '/docs');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.text).toContain('swagger-ui');
  });
});
