import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LanceVectorStore } from '../../src/adapters/vector/lance';
import type { VectorStore } from '../../src/domain';
import { expectProblem, startRestServer, type RestTestServer } from '../support/rest-test-server';

/** The real LanceDB store (the default engine) in a fresh temp dir. */
async function openTestStore(): Promise<{ store: VectorStore; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taishang-http-'));
  const store = await LanceVectorStore.open({ dataDir });
  return {
    store,
    dispose: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// Values exactly representable as float32, so engines that store float32 read back what was sent.
const docs = [
  { id: 'doc-1', vector: [1, 0, 0, 0], metadata: { genre: 'scifi', year: 2004, author: { name: 'Le Guin' } } },
  { id: 'doc-2', vector: [0, 1, 0, 0], metadata: { genre: 'poetry', year: 1990 } },
  { id: 'doc-3', vector: [0.5, 0.5, 0, 0], metadata: { genre: 'scifi', year: 2012 } },
];

describe('REST door over loopback: every vector route', () => {
  let server: RestTestServer;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openTestStore();
    dispose = opened.dispose;
    server = await startRestServer(opened.store);
  });

  afterAll(async () => {
    await server.close();
    await dispose();
  });

  it('answers the probes and the Health RPC', async () => {
    expect(await server.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await server.call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const health = await server.call('GET', '/v1/health');
    expect(health).toMatchObject({ status: 200, body: { healthy: true, message: expect.any(String) } });
  });

  it('creates, describes, lists and checks collections', async () => {
    const created = await server.call('POST', '/v1/collections', {
      json: { name: 'books', description: 'test books', vector_dim: 4, index_params: { metric_type: 'L2' } },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/collections/books');
    expect(created.body).toEqual({ success: true, message: expect.stringContaining('books') });

    const info = await server.call('GET', '/v1/collections/books');
    expect(info.status).toBe(200);
    expect(info.body).toEqual({
      name: 'books',
      description: 'test books',
      vector_dim: 4,
      index_params: { index_type: '', metric_type: 'L2', params: {} },
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(info.body.created_at).toBeGreaterThan(0);

    expect((await server.call('GET', '/v1/collections')).body.names).toContain('books');
    const head = await server.call('HEAD', '/v1/collections/books');
    expect({ status: head.status, text: head.text }).toEqual({ status: 200, text: '' });
    const missing = await server.call('HEAD', '/v1/collections/nope');
    expect({ status: missing.status, text: missing.text }).toEqual({ status: 404, text: '' });
  });

  it('inserts, reads back, upserts and deletes vectors', async () => {
    const inserted = await server.call('POST', '/v1/collections/books/vectors', { json: { vectors: [...docs, { vector: [0, 0, 1, 0] }] } });
    expect(inserted.status).toBe(200);
    expect(inserted.body).toEqual({ ids: ['doc-1', 'doc-2', 'doc-3', expect.any(String)], success: true, message: 'inserted 4 vectors' });
    const generated: string = inserted.body.ids[3];
    expect(generated.length).toBeGreaterThan(0);

    const one = await server.call('GET', '/v1/collections/books/vectors/doc-1');
    expect(one).toMatchObject({ status: 200, body: { vector: docs[0] } });
    const gen = await server.call('GET', `/v1/collections/books/vectors/${encodeURIComponent(generated)}`);
    expect(gen.body).toEqual({ vector: { id: generated, vector: [0, 0, 1, 0], metadata: {} } });

    const upserted = await server.call('PUT', '/v1/collections/books/vectors', {
      json: { vectors: [{ id: 'doc-2', vector: [0, 0.25, 0, 0.75], metadata: { genre: 'essay' } }, { id: 'doc-5', vector: [0, 0, 0, 1] }] },
    });
    expect(upserted.body).toEqual({ ids: ['doc-2', 'doc-5'], success: true, message: 'upserted 2 vectors' });
    expect((await server.call('GET', '/v1/collections/books/vectors/doc-2')).body).toEqual({
      vector: { id: 'doc-2', vector: [0, 0.25, 0, 0.75], metadata: { genre: 'essay' } },
    });

    const deleted = await server.call('POST', '/v1/collections/books/vectors/delete', { json: { ids: ['doc-5', generated, 'never-there'] } });
    expect(deleted.body).toEqual({ success: true, message: 'deleted 3 ids (missing ids are ignored)' });
    expectProblem(await server.call('GET', '/v1/collections/books/vectors/doc-5'), 404, 'NOT_FOUND');
    expect((await server.call('POST', '/v1/collections/books/vectors/delete', { json: { ids: ['doc-5'] } })).status).toBe(200);

    const stats = await server.call('GET', '/v1/collections/books/stats');
    expect(stats.body).toEqual({ name: 'books', vector_count: 3, size_in_bytes: expect.any(Number) });
  });

  it('keeps ids with URL-special characters and 512-byte ids', async () => {
    const ids = ['a/b?c#d e', 'ü'.repeat(256)];
    const written = await server.call('PUT', '/v1/collections/books/vectors', {
      json: { vectors: ids.map((id, i) => ({ id, vector: [0, 0, i, 1] })) },
    });
    expect(written.body.ids).toEqual(ids);
    for (const id of ids) {
      expect((await server.call('GET', `/v1/collections/books/vectors/${encodeURIComponent(id)}`)).body.vector.id).toBe(id);
    }
    await server.call('POST', '/v1/collections/books/vectors/delete', { json: { ids } });
  });

  it('searches closest first, with vectors on request and filters pushed down', async () => {
    const plain = await server.call('POST', '/v1/collections/books/search', { json: { query_vector: [1, 0, 0, 0] } });
    expect(plain.status).toBe(200);
    expect(plain.body.results.map((r: { id: string }) => r.id)).toEqual(['doc-1', 'doc-3', 'doc-2']);
    // L2: score is the squared distance.
    expect(plain.body.results[0]).toEqual({ id: 'doc-1', score: 0, metadata: docs[0]!.metadata });
    expect(plain.body.results[1].score).toBeCloseTo(0.5, 5);

    const top1 = await server.call('POST', '/v1/collections/books/search', {
      json: { query_vector: [1, 0, 0, 0], options: { topk: 1, include_vector: true } },
    });
    expect(top1.body.results).toEqual([{ id: 'doc-1', score: 0, vector: [1, 0, 0, 0], metadata: docs[0]!.metadata }]);

    const filtered = await server.call('POST', '/v1/collections/books/search', {
      json: { query_vector: [1, 0, 0, 0], options: { topk: 10, filter: { genre: 'scifi', year: { $gte: 2010 } } } },
    });
    expect(filtered.body.results.map((r: { id: string }) => r.id)).toEqual(['doc-3']);
    const nested = await server.call('POST', '/v1/collections/books/search', {
      json: { query_vector: [0, 1, 0, 0], options: { filter: { 'author.name': 'Le Guin' } } },
    });
    expect(nested.body.results.map((r: { id: string }) => r.id)).toEqual(['doc-1']);
  });

  it('builds, reports and drops the vector index', async () => {
    expect((await server.call('GET', '/v1/collections/books/index')).body).toEqual({ exists: false });
    const built = await server.call('PUT', '/v1/collections/books/index', { json: { index_params: { index_type: 'FLAT', metric_type: 'L2' } } });
    expect(built).toMatchObject({ status: 200, body: { success: true } });
    expect((await server.call('GET', '/v1/collections/books/index')).body).toEqual({ exists: true });
    expect((await server.call('GET', '/v1/collections/books')).body.index_params).toMatchObject({ index_type: 'FLAT', metric_type: 'L2' });
    const search = await server.call('POST', '/v1/collections/books/search', { json: { query_vector: [1, 0, 0, 0], options: { topk: 1 } } });
    expect(search.body.results[0].id).toBe('doc-1');

    const hnsw = await server.call('PUT', '/v1/collections/books/index', {
      json: { index_params: { index_type: 'hnsw', params: { m: 16, ef_construction: 200 } } },
    });
    expect(hnsw.status).toBe(200);
    expect((await server.call('GET', '/v1/collections/books')).body.index_params).toEqual({
      index_type: 'HNSW',
      metric_type: 'L2',
      params: { m: 16, ef_construction: 200 },
    });

    expect((await server.call('DELETE', '/v1/collections/books/index')).body).toMatchObject({ success: true });
    expect((await server.call('GET', '/v1/collections/books/index')).body).toEqual({ exists: false });
  });

  it('compacts without a body, even with a JSON content-type', async () => {
    expect((await server.call('POST', '/v1/collections/books/compact')).body).toMatchObject({ success: true });
    const withType = await server.call('POST', '/v1/collections/books/compact', { headers: { 'content-type': 'application/json' } });
    expect(withType.status).toBe(200);
    expect((await server.call('GET', '/v1/collections/books/stats')).body.vector_count).toBe(3);
  });

  it('drops a collection with everything in it', async () => {
    expect((await server.call('DELETE', '/v1/collections/books')).body).toEqual({ success: true, message: "collection 'books' dropped" });
    expectProblem(await server.call('GET', '/v1/collections/books'), 404, 'NOT_FOUND');
    expect((await server.call('GET', '/v1/collections')).body.names).not.toContain('books');
    expectProblem(await server.call('DELETE', '/v1/collections/books'), 404, 'NOT_FOUND');
  });

  it('echoes a safe x-request-id and replaces an unsafe one', async () => {
    const echoed = await server.call('GET', '/v1/collections', { headers: { 'x-request-id': 'client-req-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-req-42');
    const replaced = await server.call('GET', '/v1/collections', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const onError = await server.call('GET', '/v1/nothing-here', { headers: { 'x-request-id': 'err-7' } });
    expect(onError.headers.get('x-request-id')).toBe('err-7');
    expectProblem(onError, 404, 'NOT_FOUND');
  });

  it('reports not-ready on /readyz with 503', async () => {
    const { store, dispose: disposeOther } = await openTestStore();
    const notReady = await startRestServer(store, { isReady: async () => false });
    try {
      expect(await notReady.call('GET', '/readyz')).toMatchObject({ status: 503, body: { status: 'not_ready' } });
      expect((await notReady.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await notReady.close();
      await disposeOther();
    }
  });
});
