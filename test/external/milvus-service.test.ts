import { ClientError, createClient, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { MilvusVectorStore } from '../../src/adapters/vector/milvus';
import { startMilvusTestServer, type MilvusTestServer } from '../support/milvus-test-server';
import { rest, startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { tempDir } from '../support/temp-dirs';

/**
 * The real service (dist/main.js as a process) with VECTOR_BACKEND=milvus against a real Milvus:
 * every VectorService RPC on both doors, then an outage of Milvus and the recovery from it.
 */
const Serving = { SERVING: 1, NOT_SERVING: 2 } as const;
let milvus: MilvusTestServer;
let svc: ServiceProcess;

beforeAll(async () => {
  milvus = await startMilvusTestServer();
  svc = await startService(await tempDir('milvus-svc'), {
    ...LIGHT_START,
    VECTOR_BACKEND: 'milvus',
    MILVUS_HOST: milvus.host,
    MILVUS_PORT: String(milvus.port),
    MILVUS_DATABASE: 'taishang_it',
    MILVUS_TIMEOUT_MS: '3000',
  });
}, 600_000);

afterAll(async () => {
  if (svc && svc.child.exitCode === null) await svc.stop('SIGKILL');
  await milvus?.dispose();
}, 120_000);

function unit(i: number, dim = 4): number[] {
  const v = Array.from({ length: dim }, (_, d) => Math.sin(i * 3.1 + d) + (d === i % dim ? 1.5 : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

async function grpcCode(call: Promise<unknown>): Promise<Status | 'OK'> {
  try {
    await call;
    return 'OK';
  } catch (e) {
    if (e instanceof ClientError) return e.code;
    throw e;
  }
}

async function until(check: () => Promise<boolean>, what: string, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - started;
}

describe('VECTOR_BACKEND=milvus: both doors', () => {
  it('serves all 16 VectorService RPCs over gRPC and REST', async () => {
    const v = svc.vectors;
    const created = await rest(svc.baseUrl, 'POST', '/v1/collections', { name: 'books', description: 'on milvus', vector_dim: 4, index_params: { metric_type: 'COSINE' } });
    expect(created).toMatchObject({ status: 201, body: { success: true } });
    expect(await v.createCollection({ name: 'authors', vectorDim: 4, indexParams: { indexType: 'HNSW', metricType: 'L2', params: { m: 8 } } })).toMatchObject({ success: true });
    expect((await rest(svc.baseUrl, 'POST', '/v1/collections', { name: 'books', vector_dim: 4 })).status).toBe(409);
    expect(await grpcCode(v.createCollection({ name: 'books', vectorDim: 4 }))).toBe(Status.ALREADY_EXISTS);

    expect(await v.hasCollection({ name: 'books' })).toEqual({ exists: true });
    expect((await rest(svc.baseUrl, 'HEAD', '/v1/collections/nope')).status).toBe(404);
    expect(await v.listCollections({})).toEqual({ names: ['authors', 'books'] });
    const info = await v.getCollectionInfo({ name: 'authors' });
    expect(info).toMatchObject({ name: 'authors', vectorDim: 4, indexParams: { indexType: 'HNSW', metricType: 'L2' } });

    const inserted = await v.insert({ collectionName: 'books', vectors: [0, 1, 2].map((i) => ({ id: `g${i}`, vector: unit(i), metadata: { i, door: 'grpc' } })) });
    expect(inserted.ids).toEqual(['g0', 'g1', 'g2']);
    const restInsert = await rest(svc.baseUrl, 'POST', '/v1/collections/books/vectors', { vectors: [{ vector: unit(3), metadata: { i: 3, door: 'rest' } }] });
    expect(restInsert.status).toBe(200);
    const generated = restInsert.body.ids[0] as string;
    expect(await grpcCode(v.insert({ collectionName: 'books', vectors: [{ id: 'g0', vector: unit(9) }] }))).toBe(Status.ALREADY_EXISTS);
    expect((await v.upsert({ collectionName: 'books', vectors: [{ id: 'g1', vector: unit(7), metadata: { i: 7, door: 'upsert' } }] })).ids).toEqual(['g1']);
    expect((await rest(svc.baseUrl, 'PUT', '/v1/collections/books/vectors', { vectors: [{ id: 'r9', vector: unit(9), metadata: { i: 9 } }] })).status).toBe(200);

    expect((await v.getByID({ collectionName: 'books', id: 'g1' })).vector).toMatchObject({ id: 'g1', metadata: { i: 7, door: 'upsert' } });
    expect((await rest(svc.baseUrl, 'GET', `/v1/collections/books/vectors/${encodeURIComponent(generated)}`)).body.vector).toMatchObject({ metadata: { door: 'rest' } });
    expect(await grpcCode(v.getByID({ collectionName: 'books', id: 'missing' }))).toBe(Status.NOT_FOUND);

    const hits = await v.search({ collectionName: 'books', queryVector: unit(2), options: { topk: 2, includeVector: true, filter: { door: { $in: ['grpc', 'rest'] } } } });
    expect(hits.results[0]).toMatchObject({ id: 'g2' });
    expect(hits.results[0]!.score).toBeCloseTo(1, 4);
    expect(hits.results[0]!.vector).toHaveLength(4);
    const restHits = await rest(svc.baseUrl, 'POST', '/v1/collections/books/search', { query_vector: unit(3), options: { topk: 1, filter: { door: 'rest' } } });
    expect(restHits.body.results).toEqual([expect.objectContaining({ id: generated })]);

    expect(await v.delete({ collectionName: 'books', ids: ['g0', 'never'] })).toMatchObject({ success: true });
    expect((await rest(svc.baseUrl, 'POST', '/v1/collections/books/vectors/delete', { ids: ['r9'] })).status).toBe(200);
    expect(await v.getCollectionStats({ name: 'books' })).toMatchObject({ name: 'books', vectorCount: 3 });

    await v.createIndex({ collectionName: 'books', indexParams: { indexType: 'IVF_FLAT', metricType: 'IP', params: { nlist: 4 } } });
    expect(await v.hasIndex({ collectionName: 'books' })).toEqual({ exists: true });
    expect((await rest(svc.baseUrl, 'GET', '/v1/collections/books/index')).body).toMatchObject({ exists: true });
    expect((await rest(svc.baseUrl, 'DELETE', '/v1/collections/books/index')).status).toBe(200);
    expect(await v.hasIndex({ collectionName: 'books' })).toEqual({ exists: false });
    expect((await v.getCollectionInfo({ name: 'books' })).indexParams).toMatchObject({ indexType: '', metricType: 'IP' });

    await v.compact({ collectionName: 'books' });
    expect((await rest(svc.baseUrl, 'POST', '/v1/collections/books/compact')).status).toBe(200);
    expect(await v.health({})).toMatchObject({ healthy: true, message: expect.stringContaining('milvus') });
    expect((await rest(svc.baseUrl, 'GET', '/v1/health')).body).toMatchObject({ healthy: true });

    await v.dropCollection({ name: 'authors' });
    expect((await rest(svc.baseUrl, 'DELETE', '/v1/collections/authors')).status).toBe(404);
    expect(await v.listCollections({})).toEqual({ names: ['books'] });
  }, 120_000);
});

describe('VECTOR_BACKEND=milvus: text in (issue 11)', () => {
  const MODEL = 'all-MiniLM-L6-v2';
  const texts = Array.from({ length: 1000 }, (_, i) => `Note ${i} about ${['pumps', 'planets', 'bread', 'birds', 'jazz'][i % 5]} from ${['Lisbon', 'Osaka', 'Quito'][i % 3]}, serial SN-${(i * 7919) % 10007}.`);

  it.each(['grpc', 'rest'])('through the %s door: 1,000 texts in, a text query answers as the caller-embedded vector; BM25 modes are FAILED_PRECONDITION', async (door) => {
    const name = `bound_${door}`;
    const records = texts.map((text, i) => ({ id: `d${i}`, text, metadata: { i } }));
    const query = 'baking bread in Osaka';
    const embedded = await rest(svc.baseUrl, 'POST', `/v1/models/${MODEL}/embed`, { text: query });
    expect(embedded.status).toBe(200);
    let byText: { id: string; score: number; text: string }[];
    let byVector: { id: string; score: number }[];
    if (door === 'grpc') {
      await svc.vectors.createCollection({ name, vectorDim: 0, embeddingModel: MODEL });
      expect((await svc.vectors.getCollectionInfo({ name })).embeddingModel).toMatchObject({ name: MODEL, dimension: 384 });
      await svc.vectors.insert({ collectionName: name, vectors: records.map((r) => ({ ...r, vector: [] })) });
      byText = (await svc.vectors.search({ collectionName: name, queryText: query, options: { topk: 10 } })).results;
      byVector = (await svc.vectors.search({ collectionName: name, queryVector: embedded.body.embedding, options: { topk: 10 } })).results;
      const refused = await grpcCode(svc.vectors.search({ collectionName: name, queryText: query, options: { topk: 10, mode: 'hybrid' } }));
      expect(refused).toBe(Status.FAILED_PRECONDITION);
    } else {
      expect((await rest(svc.baseUrl, 'POST', '/v1/collections', { name, vector_dim: 0, embedding_model: MODEL })).status).toBe(201);
      expect((await rest(svc.baseUrl, 'GET', `/v1/collections/${name}`)).body.embedding_model).toMatchObject({ name: MODEL, dimension: 384 });
      expect((await rest(svc.baseUrl, 'POST', `/v1/collections/${name}/vectors`, { vectors: records })).status).toBe(200);
      byText = (await rest(svc.baseUrl, 'POST', `/v1/collections/${name}/search`, { query_text: query, options: { topk: 10 } })).body.results;
      byVector = (await rest(svc.baseUrl, 'POST', `/v1/collections/${name}/search`, { query_vector: embedded.body.embedding, options: { topk: 10 } })).body.results;
      const refused = await rest(svc.baseUrl, 'POST', `/v1/collections/${name}/search`, { query_text: query, options: { topk: 10, mode: 'text' } });
      expect([refused.status, refused.body.code]).toEqual([400, 'FAILED_PRECONDITION']);
      expect(refused.body.detail).toContain('BM25');
    }
    expect(byText).toHaveLength(10);
    expect(byText.map((h) => h.id)).toEqual(byVector.map((h) => h.id));
    byText.forEach((hit, i) => {
      expect(hit.score).toBeCloseTo(byVector[i]!.score, 5);
      expect(hit.text).toBe(texts[Number(hit.id.slice(1))]);
    });
    expect((await rest(svc.baseUrl, 'DELETE', `/v1/collections/${name}`)).status).toBe(200);
    // 1,000 embeddings on two shared cores: a minute when the machine is busy (no speed is asserted).
  }, 300_000);
});

describe('VECTOR_BACKEND=milvus: an outage of Milvus', () => {
  it('fails calls UNAVAILABLE within their deadline, turns health NOT_SERVING and /readyz 503, then recovers without a restart', async () => {
    const health = createClient(HealthDefinition, svc.channel);
    expect(await health.check({ service: '' })).toEqual({ status: Serving.SERVING });
    const pid = svc.child.pid;

    await milvus.stop(true);
    const deadline = 4000;
    // A client that gives up after `deadline` ms: UNAVAILABLE (not the client's own CANCELLED)
    // shows the service answered first.
    const failed = await grpcCode(svc.vectors.search({ collectionName: 'books', queryVector: unit(1) }, { signal: AbortSignal.timeout(deadline) }));
    expect(failed).toBe(Status.UNAVAILABLE);
    expect(await grpcCode(svc.vectors.insert({ collectionName: 'books', vectors: [{ id: 'down', vector: unit(5) }] }, { signal: AbortSignal.timeout(deadline) }))).toBe(Status.UNAVAILABLE);
    const restDown = await rest(svc.baseUrl, 'POST', '/v1/collections/books/search', { query_vector: unit(1) });
    expect(restDown).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    await until(async () => (await rest(svc.baseUrl, 'GET', '/readyz')).status === 503, '/readyz 503', 10_000);
    await until(async () => (await health.check({ service: '' })).status === Serving.NOT_SERVING, 'gRPC NOT_SERVING', 10_000);
    expect((await rest(svc.baseUrl, 'GET', '/v1/health')).body).toMatchObject({ healthy: false });

    // A store created while Milvus is away (its first connect fails) must find it later too.
    const late = new MilvusVectorStore({ address: milvus.address, database: 'taishang_it', timeoutMs: 3000 });
    // Refused at once, or, when the machine is too busy to see the refusal within the 3 s, the deadline.
    expect(await late.health()).toMatchObject({ healthy: false, message: expect.stringMatching(/ECONNREFUSED|deadline exceeded/) });
    await expect(late.hasCollection('books')).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    await milvus.restart();
    await until(async () => (await health.check({ service: '' })).status === Serving.SERVING, 'gRPC SERVING again', 60_000);
    await until(async () => (await late.health()).healthy, 'a late store connects', 30_000);
    expect(await late.hasCollection('books')).toBe(true);
    await late.close();
    expect((await rest(svc.baseUrl, 'GET', '/readyz')).status).toBe(200);
    expect(svc.child.pid).toBe(pid);
    expect(svc.child.exitCode).toBeNull();
    // The data written before the outage is there, and the service writes and searches again.
    expect((await svc.vectors.getByID({ collectionName: 'books', id: 'g2' })).vector).toMatchObject({ id: 'g2' });
    await svc.vectors.insert({ collectionName: 'books', vectors: [{ id: 'after', vector: unit(8), metadata: { back: true } }] });
    const hits = await svc.vectors.search({ collectionName: 'books', queryVector: unit(8), options: { topk: 1, filter: { back: true } } });
    expect(hits.results.map((h) => h.id)).toEqual(['after']);
  }, 180_000);
});
