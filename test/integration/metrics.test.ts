import { randomUUID } from 'node:crypto';
import { Client, credentials, Metadata as GrpcMetadata, type ServiceError } from '@grpc/grpc-js';
import { ClientError, createChannel, createClient, Status, type Channel } from 'nice-grpc';
import pino from 'pino';
import { buildApp, type App } from '../../src/app/build-app';
import { loadConfig, type Config } from '../../src/config/config';
import { ModelServiceDefinition, type ModelServiceClient } from '../../src/gen/taishang/ai/v1/model_service';
import { VectorServiceDefinition, type VectorServiceClient } from '../../src/gen/taishang/ai/v1/vector_service';
import { labelValues, parseExposition, samplesOf, valueOf, type Exposition } from '../support/prometheus-text';
import { MODEL_CACHE_DIR } from '../support/real-models';
import { postForEvents, readSse } from '../support/sse-client';
import { tempDir } from '../support/temp-dirs';

const P = 'taishang_';
const SEARCH_ROUTE = '/v1/collections/:name/search';
const COLLECTION = 'metrics_docs';

/** The service as main.ts builds it (in process), on LanceDB in a temp dir, with the real default models. */
describe('/metrics after traffic on both doors (real app, LanceDB, real models)', () => {
  let dataDir: string;
  let config: Config;
  let app: App;
  let baseUrl: string;
  let grpcAddress: string;
  let channel: Channel;
  let vectors: VectorServiceClient;
  let models: ModelServiceClient;
  /** The scrape right after the traffic below; individual tests read it. */
  let scraped: Exposition;

  const rest = async (method: string, path: string, json?: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: json === undefined ? {} : { 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, body: text !== '' && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };

  async function scrape(): Promise<Exposition> {
    const response = await fetch(`${baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(await response.text());
  }

  async function grpcStatusOf(call: Promise<unknown>): Promise<string> {
    const outcome = await call.then(
      () => Status.OK,
      (e: unknown) => (e instanceof ClientError ? e.code : Promise.reject(e)),
    );
    return Status[outcome];
  }

  beforeAll(async () => {
    dataDir = await tempDir('metrics');
    config = loadConfig({}, { host: '127.0.0.1', grpcPort: 0, httpPort: 0, dataDir, modelCacheDir: MODEL_CACHE_DIR, logLevel: 'silent', shutdownGraceMs: 2000 });
    app = await buildApp(config, pino({ level: 'silent' }));
    const ports = await app.listen();
    baseUrl = `http://127.0.0.1:${ports.httpPort}`;
    grpcAddress = `127.0.0.1:${ports.grpcPort}`;
    channel = createChannel(grpcAddress);
    vectors = createClient(VectorServiceDefinition, channel);
    models = createClient(ModelServiceDefinition, channel);

    // REST: a collection's life, a bad search, an unknown collection, an embedding, a generation.
    const vector_dim = 4;
    expect((await rest('POST', '/v1/collections', { name: COLLECTION, vector_dim })).status).toBe(201);
    const rows = [
      { id: 'a', vector: [1, 0, 0, 0] },
      { id: 'b', vector: [0, 1, 0, 0] },
    ];
    expect((await rest('POST', `/v1/collections/${COLLECTION}/vectors`, { vectors: rows })).status).toBe(200);
    expect((await rest('POST', `/v1/collections/${COLLECTION}/search`, { query_vector: [1, 0, 0, 0], options: { topk: 1 } })).status).toBe(200);
    expect((await rest('POST', `/v1/collections/${COLLECTION}/search`, { query_vector: [1, 0] })).status).toBe(400);
    expect((await rest('GET', '/v1/collections/never_created')).status).toBe(404);
    expect((await rest('GET', `/v1/collections/${COLLECTION}/vectors?page_size=1`)).status).toBe(200);
    expect((await rest('POST', `/v1/collections/${COLLECTION}/count`, { filter: { n: 1 } })).status).toBe(200);
    expect((await rest('POST', '/v1/aliases', { alias: `${COLLECTION}_live`, collection_name: COLLECTION })).status).toBe(201);
    expect((await rest('POST', `/v1/models/${config.embeddingModelName}/embed`, { text: 'metrics over REST' })).status).toBe(200);
    const generated = await rest('POST', `/v1/models/${config.textModelName}/generate`, { prompt: 'Say hi.', parameters: { max_tokens: 4, temperature: 0 } });
    expect(generated.status).toBe(200);
    // The default reranker, registered on first start like the other two.
    expect((await rest('POST', `/v1/models/${config.rerankModelName}/rerank`, { query: 'metrics', documents: ['over REST', 'a reranked call'] })).status).toBe(200);

    // gRPC: a search, a bad search, an embedding, a streamed generation.
    expect(await grpcStatusOf(vectors.search({ collectionName: COLLECTION, queryVector: [0, 1, 0, 0], options: { topk: 1 } }))).toBe('OK');
    expect(await grpcStatusOf(vectors.search({ collectionName: COLLECTION, queryVector: [0, 1] }))).toBe('INVALID_ARGUMENT');
    expect(await grpcStatusOf(vectors.listVectors({ collectionName: `${COLLECTION}_live`, pageSize: 1 }))).toBe('OK');
    expect(await grpcStatusOf(vectors.listVectors({ collectionName: COLLECTION, pageToken: 'not-a-token' }))).toBe('INVALID_ARGUMENT');
    expect(await grpcStatusOf(vectors.dropAlias({ alias: `${COLLECTION}_live` }))).toBe('OK');
    expect(await grpcStatusOf(models.generateEmbedding({ modelName: config.embeddingModelName, text: 'metrics over gRPC' }))).toBe('OK');
    const chunks = [];
    for await (const chunk of models.streamGenerateText({ modelName: config.textModelName, prompt: 'Say hi.', parameters: { max_tokens: 4, temperature: 0 } })) chunks.push(chunk);
    expect(chunks.at(-1)?.finished).toBe(true);

    scraped = await scrape();
  }, 300_000);

  afterAll(async () => {
    channel?.close();
    await app?.close();
  }, 60_000);

  it('declares every family with its Prometheus type', () => {
    const expected: Record<string, string> = {
      http_requests_total: 'counter',
      http_request_duration_seconds: 'histogram',
      grpc_requests_total: 'counter',
      grpc_request_duration_seconds: 'histogram',
      inflight_requests: 'gauge',
      embedding_batch_size: 'histogram',
      queue_depth: 'gauge',
      model_call_duration_seconds: 'histogram',
      store_call_duration_seconds: 'histogram',
    };
    const declared = Object.fromEntries(Object.keys(expected).map((name) => [name, scraped.types.get(`${P}${name}`)]));
    expect(declared).toEqual(expected);
    // The default Node process metrics share the prefix.
    expect(samplesOf(scraped, `${P}process_cpu_user_seconds_total`)).toHaveLength(1);
    expect(samplesOf(scraped, `${P}nodejs_eventloop_lag_seconds`)).toHaveLength(1);
  });

  it('counts REST requests by route pattern and status, with their latency', () => {
    const search = { method: 'POST', route: SEARCH_ROUTE };
    expect(valueOf(scraped, `${P}http_requests_total`, { ...search, code: '200' })).toBe(1);
    expect(valueOf(scraped, `${P}http_requests_total`, { ...search, code: '400' })).toBe(1);
    expect(valueOf(scraped, `${P}http_requests_total`, { method: 'GET', route: '/v1/collections/:name', code: '404' })).toBe(1);
    expect(valueOf(scraped, `${P}http_requests_total`, { method: 'POST', route: '/v1/collections', code: '201' })).toBe(1);
    expect(valueOf(scraped, `${P}http_requests_total`, { method: 'POST', route: '/v1/models/:name/embed', code: '200' })).toBe(1);
    expect(valueOf(scraped, `${P}http_requests_total`, { method: 'POST', route: '/v1/models/:name/generate', code: '200' })).toBe(1);
    // The listing, count and alias routes report through the same families, by route pattern.
    expect(valueOf(scraped, `${P}http_requests_total`, { method: 'GET', route: '/v1/collections/:name/vectors', code: '200' })).toBe(1);
    expect(valueOf(scraped, `${P}http_requests_total`, { method: 'POST', route: '/v1/collections/:name/count', code: '200' })).toBe(1);
    expect(valueOf(scraped, `${P}http_requests_total`, { method: 'POST', route: '/v1/aliases', code: '201' })).toBe(1);
    expect(valueOf(scraped, `${P}http_request_duration_seconds_count`, { ...search, code: '200' })).toBe(1);
    expect(valueOf(scraped, `${P}http_request_duration_seconds_bucket`, { ...search, code: '200', le: '+Inf' })).toBe(1);
    expect(valueOf(scraped, `${P}http_request_duration_seconds_sum`, { ...search, code: '200' })).toBeGreaterThan(0);
  });

  it('counts gRPC calls by method and status name, with their latency', () => {
    const search = { method: 'VectorService/Search' };
    expect(valueOf(scraped, `${P}grpc_requests_total`, { ...search, code: 'OK' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_requests_total`, { ...search, code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_requests_total`, { method: 'ModelService/GenerateEmbedding', code: 'OK' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_requests_total`, { method: 'ModelService/StreamGenerateText', code: 'OK' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_requests_total`, { method: 'VectorService/ListVectors', code: 'OK' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_requests_total`, { method: 'VectorService/ListVectors', code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_requests_total`, { method: 'VectorService/DropAlias', code: 'OK' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_request_duration_seconds_count`, { ...search, code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(valueOf(scraped, `${P}grpc_request_duration_seconds_sum`, { method: 'ModelService/StreamGenerateText', code: 'OK' })).toBeGreaterThan(0);
  });

  it('reports calls in flight per door: the scrape itself on http, none on grpc', () => {
    expect(labelValues(scraped, `${P}inflight_requests`, 'door')).toEqual(['grpc', 'http']);
    expect(valueOf(scraped, `${P}inflight_requests`, { door: 'http' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(scraped, `${P}inflight_requests`, { door: 'grpc' })).toBe(0);
  });

  it('records embedding batch sizes and model call latencies per provider and operation', () => {
    // Two embedding calls of one text each, one at a time: two batches of size 1.
    expect(valueOf(scraped, `${P}embedding_batch_size_count`)).toBe(2);
    expect(valueOf(scraped, `${P}embedding_batch_size_sum`)).toBe(2);
    expect(valueOf(scraped, `${P}embedding_batch_size_bucket`, { le: '1' })).toBe(2);
    const calls = (provider: string, operation: string) => valueOf(scraped, `${P}model_call_duration_seconds_count`, { provider, operation });
    expect({ embed: calls('transformers', 'embed'), generate: calls('llamacpp', 'generate'), stream: calls('llamacpp', 'stream'), rerank: calls('transformers', 'rerank') }).toEqual({
      embed: 2,
      generate: 1,
      stream: 1,
      rerank: 1,
    });
    expect(valueOf(scraped, `${P}model_call_duration_seconds_sum`, { provider: 'llamacpp', operation: 'generate' })).toBeGreaterThan(0);
  });

  it('times engine calls per VectorStore method: one per operation, a search with the wrong dimension included', () => {
    const calls = (operation: string) => valueOf(scraped, `${P}store_call_duration_seconds_count`, { engine: 'lance', operation });
    // The wrong dimension is found inside the search's own store call (the domain's plan), before any engine work.
    expect({ createCollection: calls('createCollection'), insert: calls('insert'), search: calls('search') }).toEqual({ createCollection: 1, insert: 1, search: 4 });
    // Only the GET of a collection reads it; writes and searches no longer ask for it first.
    expect(calls('getCollection')).toBe(1);
    // A listing page, a count, an alias made and dropped: one engine call each; a bad token never reaches the store.
    expect({ scan: calls('scan'), count: calls('count'), createAlias: calls('createAlias'), dropAlias: calls('dropAlias') }).toEqual({ scan: 2, count: 1, createAlias: 1, dropAlias: 1 });
    expect(valueOf(scraped, `${P}store_call_duration_seconds_sum`, { engine: 'lance', operation: 'search' })).toBeGreaterThan(0);
  });

  it('reports the depth of every queue, read when scraped', () => {
    expect(labelValues(scraped, `${P}queue_depth`, 'queue')).toEqual(['embedding', 'generation', 'lance_write']);
    // Every call above has ended: nothing waits.
    expect(samplesOf(scraped, `${P}queue_depth`).map((s) => s.value)).toEqual([0, 0, 0]);
  });

  it('never uses a collection name, model name or id as a label value', () => {
    const leaked = scraped.samples.flatMap((s) => Object.values(s.labels)).filter((v) => [COLLECTION, 'never_created', config.embeddingModelName, config.textModelName].some((n) => v.includes(n)));
    expect(leaked).toEqual([]);
  });

  it('counts a client that leaves mid-stream as 499 and no longer in flight', async () => {
    const route = { method: 'POST', route: '/v1/models/:name/generate/stream' };
    const controller = new AbortController();
    const response = await postForEvents(
      `${baseUrl}/v1/models/${config.textModelName}/generate/stream`,
      { prompt: 'Count from 1 to 500 in words.', parameters: { max_tokens: 400, temperature: 0 } },
      controller.signal,
    );
    expect(response.status).toBe(200);
    for await (const event of readSse(response.body!)) {
      expect(event.event).toBe('message');
      break;
    }
    controller.abort();
    let last = scraped;
    const counted = async (): Promise<boolean> => {
      last = await scrape();
      return valueOf(last, `${P}http_requests_total`, { ...route, code: '499' }) === 1;
    };
    // The server sees the socket close a moment after the client drops it; poll (bounded) for that.
    let seen = await counted();
    for (let i = 0; i < 100 && !seen; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await counted();
    }
    expect(seen).toBe(true);
    expect(valueOf(last, `${P}http_requests_total`, { ...route, code: '200' })).toBe(0);
    // Only the scrape that reads it is in flight.
    expect(valueOf(last, `${P}inflight_requests`, { door: 'http' })).toBe(1);
  }, 60_000);

  it('keeps label sets bounded: unknown paths add only `unmatched`, unknown names and RPCs add nothing', async () => {
    const before = await scrape();
    const tag = randomUUID().slice(0, 8);
    for (let i = 0; i < 50; i += 1) expect((await rest('GET', `/${tag}/no/such/path/${i}`)).status).toBe(404);
    for (let i = 0; i < 10; i += 1) expect((await rest('GET', `/v1/collections/c${tag}_${i}`)).status).toBe(404);
    for (let i = 0; i < 5; i += 1) expect(await unimplemented(grpcAddress, `/taishang.ai.v1.VectorService/${tag}${i}`)).toBe(Status.UNIMPLEMENTED);
    const after = await scrape();

    const routesBefore = labelValues(before, `${P}http_requests_total`, 'route');
    const routesAfter = labelValues(after, `${P}http_requests_total`, 'route');
    expect(routesAfter.filter((r) => !routesBefore.includes(r))).toEqual(['unmatched']);
    expect(valueOf(after, `${P}http_requests_total`, { method: 'GET', route: 'unmatched', code: '404' })).toBe(50);
    const named = { method: 'GET', route: '/v1/collections/:name', code: '404' };
    expect(valueOf(after, `${P}http_requests_total`, named) - valueOf(before, `${P}http_requests_total`, named)).toBe(10);
    expect(labelValues(after, `${P}grpc_requests_total`, 'method')).toEqual(labelValues(before, `${P}grpc_requests_total`, 'method'));
    expect(after.samples.filter((s) => Object.values(s.labels).some((v) => v.includes(tag)))).toEqual([]);
  }, 60_000);
});

/** A unary call to a method the server does not serve (grpc-js answers it before any middleware). */
function unimplemented(address: string, path: string): Promise<number> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      () => Buffer.alloc(0),
      (b: Buffer) => b,
      {},
      new GrpcMetadata(),
      (error: ServiceError | null) => {
        client.close();
        resolve(error?.code ?? Status.OK);
      },
    );
  });
}
