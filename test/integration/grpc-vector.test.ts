import { Status } from 'nice-grpc';
import { VectorServiceDefinition } from '../../src/gen/taishang/ai/v1/vector_service';
import { expectStatus, startGrpc, type GrpcHarness } from './grpc-harness';

/** All 16 VectorService RPCs over a real gRPC connection (see grpc-harness.ts for the store). */
describe('gRPC VectorService', () => {
  let h: GrpcHarness;
  beforeAll(async () => {
    h = await startGrpc();
  });
  afterAll(async () => {
    await h.close();
  });

  /** Values exactly representable as float32, so round trips compare with toEqual. */
  const rows = [
    { id: 'a', vector: [1, 0, 0, 0], metadata: { genre: 'scifi', year: 2001, author: { name: 'Le Guin' } } },
    { id: 'b', vector: [0, 1, 0, 0], metadata: { genre: 'fantasy', year: 1990 } },
    { id: 'c', vector: [0.5, 0.5, 0, 0], metadata: { genre: 'scifi', year: 2010, tags: ['x', 'y'] } },
  ];

  async function seeded(name: string, metricType = 'COSINE'): Promise<void> {
    await h.vectors.createCollection({ name, vectorDim: 4, indexParams: { metricType } });
    await h.vectors.insert({ collectionName: name, vectors: rows });
  }

  it('CreateCollection, HasCollection, ListCollections, DropCollection', async () => {
    const created = await h.vectors.createCollection({ name: 'life_b', description: 'second', vectorDim: 8 });
    expect(created).toEqual({ success: true, message: expect.stringContaining('life_b') });
    await h.vectors.createCollection({ name: 'life_a', vectorDim: 3 });
    expect(await h.vectors.hasCollection({ name: 'life_a' })).toEqual({ exists: true });
    expect(await h.vectors.hasCollection({ name: 'life_zzz' })).toEqual({ exists: false });
    const { names } = await h.vectors.listCollections({});
    expect(names.filter((n) => n.startsWith('life_'))).toEqual(['life_a', 'life_b']);
    expect(await h.vectors.dropCollection({ name: 'life_a' })).toEqual({});
    expect(await h.vectors.hasCollection({ name: 'life_a' })).toEqual({ exists: false });
    await expectStatus(h.vectors.dropCollection({ name: 'life_a' }), Status.NOT_FOUND);
  });

  it('GetCollectionInfo reports dimension, description, metric without an index, and Unix-ms times', async () => {
    const before = Date.now();
    await h.vectors.createCollection({ name: 'info', description: 'about', vectorDim: 5, indexParams: { metricType: 'l2' } });
    const info = await h.vectors.getCollectionInfo({ name: 'info' });
    expect(info).toMatchObject({ name: 'info', description: 'about', vectorDim: 5 });
    expect(info.indexParams).toEqual({ indexType: '', metricType: 'L2', params: {} });
    expect(info.createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(info.createdAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect(info.updatedAt).toBeGreaterThanOrEqual(info.createdAt);
  });

  it('GetCollectionStats counts vectors', async () => {
    await seeded('stats');
    const stats = await h.vectors.getCollectionStats({ name: 'stats' });
    expect(stats.name).toBe('stats');
    expect(stats.vectorCount).toBe(3);
    expect(stats.sizeInBytes).toBeGreaterThanOrEqual(0);
  });

  it('CreateIndex, HasIndex, DropIndex', async () => {
    await seeded('indexed');
    expect(await h.vectors.hasIndex({ collectionName: 'indexed' })).toEqual({ exists: false });
    expect(await h.vectors.createIndex({ collectionName: 'indexed', indexParams: { indexType: 'FLAT' } })).toEqual({});
    expect(await h.vectors.hasIndex({ collectionName: 'indexed' })).toEqual({ exists: true });
    const info = await h.vectors.getCollectionInfo({ name: 'indexed' });
    expect(info.indexParams).toMatchObject({ indexType: 'FLAT', metricType: 'COSINE' });
    expect(await h.vectors.dropIndex({ collectionName: 'indexed' })).toEqual({});
    expect(await h.vectors.hasIndex({ collectionName: 'indexed' })).toEqual({ exists: false });
    await h.vectors.createIndex({ collectionName: 'indexed', indexParams: { indexType: 'hnsw', params: { m: 16, ef_construction: 100 } } });
    const hnsw = await h.vectors.getCollectionInfo({ name: 'indexed' });
    expect(hnsw.indexParams).toEqual({ indexType: 'HNSW', metricType: 'COSINE', params: { m: 16, ef_construction: 100 } });
    expect((await h.vectors.search({ collectionName: 'indexed', queryVector: [1, 0, 0, 0], options: { topk: 1 } })).results[0]!.id).toBe('a');
    await expectStatus(h.vectors.createIndex({ collectionName: 'indexed', indexParams: { indexType: 'NOPE' } }), Status.INVALID_ARGUMENT);
  });

  it('Insert returns ids in order, generating the empty ones; GetByID reads everything back', async () => {
    await h.vectors.createCollection({ name: 'ins', vectorDim: 4 });
    const res = await h.vectors.insert({ collectionName: 'ins', vectors: [...rows, { id: '', vector: [0, 0, 1, 0] }] });
    expect(res.success).toBe(true);
    expect(res.message).not.toBe('');
    expect(res.ids.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(res.ids[3]).toMatch(/^[0-9a-f-]{36}$/);
    const { vector } = await h.vectors.getByID({ collectionName: 'ins', id: 'a' });
    expect(vector).toEqual(rows[0]);
    const generated = await h.vectors.getByID({ collectionName: 'ins', id: res.ids[3]! });
    expect(generated.vector).toEqual({ id: res.ids[3], vector: [0, 0, 1, 0], metadata: {} });
    await expectStatus(h.vectors.getByID({ collectionName: 'ins', id: 'missing' }), Status.NOT_FOUND);
  });

  it('Upsert overwrites by id and adds new ones', async () => {
    await seeded('ups');
    const res = await h.vectors.upsert({
      collectionName: 'ups',
      vectors: [
        { id: 'a', vector: [0, 0, 0, 1], metadata: { genre: 'poetry' } },
        { id: 'd', vector: [0, 0, 1, 0] },
      ],
    });
    expect(res).toEqual({ ids: ['a', 'd'], success: true, message: expect.any(String) });
    expect((await h.vectors.getByID({ collectionName: 'ups', id: 'a' })).vector).toEqual({
      id: 'a', vector: [0, 0, 0, 1], metadata: { genre: 'poetry' },
    });
    expect((await h.vectors.getCollectionStats({ name: 'ups' })).vectorCount).toBe(4);
  });

  it('Delete removes ids and ignores missing ones', async () => {
    await seeded('del');
    const res = await h.vectors.delete({ collectionName: 'del', ids: ['a', 'nope'] });
    expect(res).toEqual({ success: true, message: expect.any(String) });
    await expectStatus(h.vectors.getByID({ collectionName: 'del', id: 'a' }), Status.NOT_FOUND);
    expect((await h.vectors.delete({ collectionName: 'del', ids: ['a'] })).success).toBe(true);
    expect((await h.vectors.getCollectionStats({ name: 'del' })).vectorCount).toBe(2);
  });

  it('Search returns the closest first with COSINE similarity', async () => {
    await seeded('s_cos');
    const { results } = await h.vectors.search({ collectionName: 's_cos', queryVector: [1, 0, 0, 0], options: { topk: 2 } });
    expect(results.map((r) => r.id)).toEqual(['a', 'c']);
    expect(results[0]!.score).toBeCloseTo(1, 5);
    expect(results[1]!.score).toBeCloseTo(Math.SQRT1_2, 5);
    expect(results[0]!.vector).toEqual([]);
    expect(results[0]!.metadata).toEqual(rows[0]!.metadata);
  });

  it('Search without options returns up to 10 hits; include_vector and filters apply', async () => {
    await seeded('s_opts');
    const all = await h.vectors.search({ collectionName: 's_opts', queryVector: [0, 1, 0, 0] });
    expect(all.results).toHaveLength(3);
    expect(all.results[0]!.id).toBe('b');
    const filtered = await h.vectors.search({
      collectionName: 's_opts',
      queryVector: [0, 1, 0, 0],
      options: { topk: 10, includeVector: true, filter: { genre: 'scifi', year: { $gte: 2005 } } },
    });
    expect(filtered.results.map((r) => [r.id, r.vector])).toEqual([['c', [0.5, 0.5, 0, 0]]]);
    const nested = await h.vectors.search({
      collectionName: 's_opts',
      queryVector: [0, 1, 0, 0],
      options: { topk: 10, filter: { 'author.name': 'Le Guin' } },
    });
    expect(nested.results.map((r) => r.id)).toEqual(['a']);
  });

  it('Search scores L2 as squared distance (lower first) and IP as dot product', async () => {
    await seeded('s_l2', 'L2');
    const l2 = await h.vectors.search({ collectionName: 's_l2', queryVector: [1, 0, 0, 0], options: { topk: 3 } });
    expect(l2.results.map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(l2.results.map((r) => r.score)).toEqual([0, 0.5, 2]);
    await seeded('s_ip', 'IP');
    const ip = await h.vectors.search({ collectionName: 's_ip', queryVector: [2, 0, 0, 0], options: { topk: 2 } });
    expect(ip.results.map((r) => [r.id, r.score])).toEqual([['a', 2], ['c', 1]]);
  });

  it('Health reports the engine', async () => {
    const health = await h.vectors.health({});
    expect(health.healthy).toBe(true);
    expect(health.message).not.toBe('');
  });

  it('Compact keeps every row readable', async () => {
    await seeded('compacted');
    await h.vectors.delete({ collectionName: 'compacted', ids: ['b'] });
    expect(await h.vectors.compact({ collectionName: 'compacted' })).toEqual({});
    expect((await h.vectors.getCollectionStats({ name: 'compacted' })).vectorCount).toBe(2);
    expect((await h.vectors.getByID({ collectionName: 'compacted', id: 'c' })).vector).toEqual(rows[2]);
  });

  it('answered every RPC of the service successfully at least once above', () => {
    const methods = Object.values(VectorServiceDefinition.methods).map((m) => `/${VectorServiceDefinition.fullName}/${m.name}`);
    expect(methods).toHaveLength(16);
    const succeeded = new Set(h.logs.filter((l) => l.code === 'OK').map((l) => l.method));
    expect(methods.filter((m) => !succeeded.has(m))).toEqual([]);
  });
});
