import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AccessControl } from '../../src/domain';
import { expectProblem, startRestServer, type RestTestServer } from '../support/rest-test-server';
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
  'GET /v1/collections/{name}/snapshot',
  'DELETE /v1/collections/{name}/index',
  'POST /v1/collections/{name}/vectors',
  'PUT /v1/collections/{name}/vectors',
  'POST /v1/collections/{name}/vectors/delete',
  'GET /v1/collections/{name}/vectors/{id}',
  'POST /v1/collections/{name}/search',
  'POST /v1/collections/{name}/snapshot',
  'GET /v1/collections/{name}/vectors',
  'POST /v1/collections/{name}/vectors/list',
  'GET /v1/collections/{name}/count',
  'POST /v1/collections/{name}/count',
  'POST /v1/aliases',
  'GET /v1/aliases',
  'PUT /v1/aliases/{alias}',
  'DELETE /v1/aliases/{alias}',
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
  'POST /openai/v1/completions',
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
  parameters?: { in: string; name: string; schema: Record<string, unknown> }[];
  responses: Record<string, { description?: string; headers?: Record<string, unknown>; content?: Record<string, { example?: unknown }> }>;
}

type Spec = { components: { securitySchemes?: Record<string, unknown> }; openapi: string; info: { title: string; version: string }; servers: unknown[]; paths: Record<string, Record<string, Operation>> };

const KEY = 'openapi-test-key-0123456789';

/** The service's access control with one key holding every role, as API_KEYS=<key> configures it. */
function keyedAccess(): AccessControl {
  const sha256 = createHash('sha256').update(KEY).digest('hex');
  return new AccessControl({ keys: [{ name: 'test', sha256, roles: ['read', 'write', 'admin'] }], metricsPublic: false, rateLimit: { perSecond: 0, burst: 0 } });
}

/** Any method, TRACE and QUERY included (fetch() refuses some): status, Allow and the parsed body. */
function rawCall(baseUrl: string, method: string, path: string): Promise<{ status: number; allow: string | undefined; type: string | undefined; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, type: res.headers['content-type'], body: text === '' ? undefined : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function operationsOf(spec: Spec): [string, Operation][] {
  return Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]): [string, Operation] => [`${m.toUpperCase()} ${path}`, op]));
}

describe('OpenAPI document and Swagger UI', () => {
  const lance = useLanceStore();
  let server: RestTestServer;
  let open: RestTestServer;
  let spec: Spec;
  let openSpec: Spec;

  beforeAll(async () => {
    // A service with API keys, and one without: the document describes each as it runs.
    server = await startRestServer(lance.store, { access: keyedAccess() });
    open = await startRestServer(lance.store);
    const answer = await server.call('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    spec = JSON.parse(answer.text);
    openSpec = JSON.parse((await open.call('GET', '/openapi.json')).text);
  });

  afterAll(async () => {
    await server?.close();
    await open?.close();
  });

  const operations = (): [string, Operation][] => operationsOf(spec);

  it('is OpenAPI 3 with title, version and servers', () => {
    expect(spec.openapi).toMatch(/^3\.(0|1)\.\d+$/);
    expect(spec.info).toMatchObject({ title: 'taishang-ai', version: expect.any(String) });
    expect(spec.servers.length).toBeGreaterThan(0);
  });

  it('validates against the OpenAPI JSON schema, with keys and without', async () => {
    // ESM-only package: loaded through import(), which jest keeps (see jest.config.js).
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    for (const document of [spec, openSpec]) {
      const result = await new Validator().validate(structuredClone(document));
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
    }
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
    type Link = { operationId: string; parameters?: Record<string, string>; requestBody?: Record<string, string> };
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
      // Every parameter a link fills is a path parameter of its target, or (`query.` and its name) a query parameter.
      for (const name of Object.keys(link.parameters ?? {})) {
        const declared = name.startsWith('query.')
          ? (target!.op.parameters ?? []).some((p) => p.in === 'query' && p.name === name.slice('query.'.length))
          : target!.route.includes(`{${name}}`);
        expect({ link: link.operationId, name, declared }).toEqual({ link: link.operationId, name, declared: true });
      }
      // Every body field a link fills is a property of its target's request body.
      const properties = (target!.op.requestBody?.content['application/json']?.schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      for (const field of Object.keys(link.requestBody ?? {})) expect({ link: link.operationId, field, inBody: field in properties }).toEqual({ link: link.operationId, field, inBody: true });
    }
    // The alias just created leads to its own calls and to the collection's calls made through it.
    expect(links.filter(([route]) => route === 'POST /v1/aliases').map(([, , l]) => l.operationId)).toEqual(
      expect.arrayContaining(['alterAlias', 'dropAlias', 'listAliases', 'listVectors', 'searchVectors']),
    );
  });

  it('gives every request body and every JSON response an example', () => {
    for (const [route, op] of operations()) {
      // Every media type a body may take (JSON, or a snapshot upload's binary types).
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) expect({ route, type, example: media.example !== undefined }).toEqual({ route, type, example: true });
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

  it('with API keys, declares bearer keys: every operation but health and probes needs one, and documents 401 (with WWW-Authenticate), 403 and 429', () => {
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
    for (const [route, op] of operations()) {
      if (op.responses['401']) expect({ route, challenge: op.responses['401'].headers }).toEqual({ route, challenge: { 'WWW-Authenticate': expect.objectContaining({ schema: expect.objectContaining({ const: 'Bearer' }) }) } });
    }
  });

  it('without API keys, requires no key anywhere and documents no 401 or 403: the running service answers without one', async () => {
    expect(openSpec.components.securitySchemes).toBeUndefined();
    for (const [route, op] of operationsOf(openSpec)) {
      expect({ route, security: op.security ?? [], refusals: ['401', '403'].filter((s) => s in op.responses) }).toEqual({ route, security: [], refusals: [] });
    }
    expect((await open.call('GET', '/v1/collections')).status).toBe(200);
    // The keyed service refuses the same call without a key, as its document says.
    const refused = await server.call('GET', '/v1/collections');
    expectProblem(refused, 401, 'UNAUTHENTICATED');
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('declares the rules the domain enforces: name patterns on path parameters and bodies, id lengths, ranges, batch sizes', () => {
    const param = (route: string, name: string) => {
      const [method, path] = route.split(' ') as [string, string];
      return spec.paths[path]![method.toLowerCase()]!.parameters!.find((p) => p.in === 'path' && p.name === name)!.schema;
    };
    const collectionName = '^[A-Za-z_][A-Za-z0-9_]{0,254}$';
    for (const [route, op] of operations()) {
      if (route.includes('/v1/collections/{name}')) expect({ route, pattern: param(route, 'name').pattern }).toEqual({ route, pattern: collectionName });
      if (route.includes('/v1/models/{name}')) expect({ route, pattern: param(route, 'name').pattern }).toEqual({ route, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });
      if (route.includes('{model}')) expect({ route, pattern: param(route, 'model').pattern }).toEqual({ route, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });
      expect({ route, leftover: JSON.stringify(op).includes('x-domain-rules') }).toEqual({ route, leftover: false });
    }
    expect(param('GET /v1/collections/{name}/vectors/{id}', 'id')).toMatchObject({ minLength: 1, maxLength: 512 });
    const body = (route: string) => {
      const [method, path] = route.split(' ') as [string, string];
      return (spec.paths[path]![method.toLowerCase()]!.requestBody!.content['application/json']!.schema as { properties: Record<string, any> }).properties;
    };
    expect(body('POST /v1/collections').name).toMatchObject({ pattern: collectionName });
    // 0 is allowed only with embedding_model (the model's dimension): the object's anyOf says so.
    expect(body('POST /v1/collections').vector_dim).toMatchObject({ minimum: 0, maximum: 32768 });
    expect((spec.paths['/v1/collections']!.post!.requestBody!.content['application/json']!.schema as { anyOf?: unknown }).anyOf).toEqual([
      { properties: { vector_dim: { minimum: 1 } } },
      { required: ['embedding_model'], properties: { embedding_model: { minLength: 1 } } },
    ]);
    expect(body('POST /v1/collections/{name}/vectors').vectors).toMatchObject({ minItems: 1, maxItems: 10000 });
    expect(body('PUT /v1/collections/{name}/vectors').vectors.items).toMatchObject({ required: expect.arrayContaining(['id']), anyOf: [{ required: ['vector'], properties: { vector: { minItems: 1 } } }, { required: ['text'] }] });
    expect(body('POST /v1/collections/{name}/search').options.properties.topk).toMatchObject({ minimum: 1, maximum: 1024 });
    expect(body('POST /v1/models/{name}/embeddings').texts).toMatchObject({ minItems: 1, maxItems: 2048 });
  });

  it('answers a method a known path does not serve with 405 and Allow, odd methods too, in the body of its prefix', async () => {
    for (const [method, path, allow] of [
      ['TRACE', '/v1/health', 'GET'],
      ['POST', '/healthz', 'GET'],
      ['QUERY', '/v1/collections/books', 'DELETE, GET, HEAD'],
      ['PATCH', '/v1/collections', 'GET, POST'],
      ['OPTIONS', '/v1/collections/books/vectors/delete', 'POST'],
    ] as const) {
      const answer = await rawCall(open.baseUrl, method, path);
      expect({ method, path, status: answer.status, allow: answer.allow, type: answer.type }).toEqual({ method, path, status: 405, allow, type: expect.stringContaining('application/problem+json') });
      expect(answer.body).toMatchObject({ status: 405, code: 'INVALID_ARGUMENT', errors: [{ field: 'method', message: `${method} is not served here; allowed: ${allow}` }] });
    }
    const openAi = await rawCall(open.baseUrl, 'DELETE', '/openai/v1/models');
    expect({ status: openAi.status, allow: openAi.allow, type: openAi.type }).toEqual({ status: 405, allow: 'GET', type: expect.stringContaining('application/json') });
    expect(openAi.body).toEqual({ error: { message: 'method: DELETE is not served here; allowed: GET', type: 'invalid_request_error', param: 'method', code: 'invalid_argument' } });
    // A path that no method serves stays 404.
    expectProblem(await open.call('GET', '/v1/nothing'), 404, 'NOT_FOUND');
  });

  it('serves Swagger UI at /docs', async () => {
    const answer = await server.call('GET', '/docs');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.text).toContain('swagger-ui');
  });
});
