import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { VectorService } from '../../src/domain';
import { DomainError } from '../../src/errors';

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('VectorService (domain rules, reference store)', () => {
  let svc: VectorService;
  beforeEach(async () => {
    svc = new VectorService(new MemoryVectorStore());
    await svc.createCollection({ name: 'docs', vectorDim: 3 });
  });

  it('defaults to COSINE without an index, and reports the metric with an empty index type', async () => {
    const info = await svc.getCollectionInfo('docs');
    expect(info).toMatchObject({ vectorDim: 3, indexParams: { indexType: '', metricType: 'COSINE', params: {} }, description: '' });
    expect(await svc.hasIndex('docs')).toBe(false);
    await svc.createIndex('docs', { indexType: 'hnsw', metricType: 'l2', params: { m: 8 } });
    expect((await svc.getCollectionInfo('docs')).indexParams).toEqual({ indexType: 'HNSW', metricType: 'L2', params: { m: 8 } });
  });

  it('words every summary itself, the same for both doors', async () => {
    expect(await svc.createCollection({ name: 'other', vectorDim: 2 })).toEqual({ message: "collection 'other' created" });
    expect(await svc.upsert('other', [{ id: 'a', vector: [1, 0] }])).toEqual({ ids: ['a'], message: 'upserted 1 vector' });
    expect(await svc.delete('other', ['a', 'a', 'gone'])).toEqual({ message: 'deleted 2 ids (missing ids are ignored)' });
    expect(await svc.createIndex('other', { indexType: 'FLAT' })).toEqual({ message: "index built on collection 'other'" });
    expect(await svc.dropIndex('other')).toEqual({ message: "index dropped from collection 'other'" });
    expect(await svc.compact('other')).toEqual({ message: "collection 'other' compacted" });
    expect(await svc.dropCollection('other')).toEqual({ message: "collection 'other' dropped" });
  });

  it('takes 10 hits when options leave topK out, and refuses a topK of 0', async () => {
    await svc.insert('docs', Array.from({ length: 12 }, (_, i) => ({ id: `v${i}`, vector: [1, i, 0] })));
    expect(await svc.search('docs', { queryVector: [1, 0, 0], options: { includeVector: true } })).toHaveLength(10);
    expect((await rejection(svc.search('docs', { queryVector: [1, 0, 0], options: { topK: 0 } }))).violations[0]!.field).toBe('options.topk');
  });

  it('generates ids for empty ones and keeps the order', async () => {
    const { ids, message } = await svc.insert('docs', [{ id: 'a', vector: [1, 0, 0] }, { vector: [0, 1, 0] }]);
    expect(ids[0]).toBe('a');
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(message).toBe('inserted 2 vectors');
  });

  it.each([
    ['wrong dimension', [{ id: 'x', vector: [1, 2] }], 'vectors[0].vector'],
    ['NaN', [{ id: 'x', vector: [1, Number.NaN, 0] }], 'vectors[0].vector[1]'],
    ['Infinity', [{ id: 'x', vector: [Number.POSITIVE_INFINITY, 0, 0] }], 'vectors[0].vector[0]'],
    ['513-byte id', [{ id: 'é'.repeat(256) + 'x', vector: [1, 0, 0] }], 'vectors[0].id'],
    ['duplicate ids', [{ id: 'd', vector: [1, 0, 0] }, { id: 'd', vector: [0, 1, 0] }], 'vectors[1].id'],
    ['empty batch', [], 'vectors'],
    ['all-zero vector under COSINE', [{ id: 'z', vector: [0, 0, 0] }], 'vectors[0].vector'],
  ])('rejects %s naming %s and writes nothing', async (_, vectors, field) => {
    const err = await rejection(svc.insert('docs', vectors));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.violations[0]!.field).toBe(field);
    expect((await svc.getCollectionStats('docs')).vectorCount).toBe(0);
  });

  it('rejects an oversized batch as RESOURCE_EXHAUSTED (payload too large)', async () => {
    const vectors = Array.from({ length: 10_001 }, (_, i) => ({ id: `v${i}`, vector: [1, 0, 0] }));
    const err = await rejection(svc.insert('docs', vectors));
    expect(err.code).toBe('RESOURCE_EXHAUSTED');
    expect(err.reason).toBe('PAYLOAD_TOO_LARGE');
  });

  it('requires ids on upsert', async () => {
    const err = await rejection(svc.upsert('docs', [{ id: '', vector: [1, 0, 0] }]));
    expect(err.violations[0]!.field).toBe('vectors[0].id');
  });

  it('checks names, top-k and filters before touching the store', async () => {
    expect((await rejection(svc.createCollection({ name: '9bad', vectorDim: 3 }))).violations[0]!.field).toBe('name');
    expect((await rejection(svc.createCollection({ name: 'ok', vectorDim: 0 }))).violations[0]!.field).toBe('vector_dim');
    expect((await rejection(svc.createCollection({ name: 'docs', vectorDim: 3 }))).code).toBe('ALREADY_EXISTS');
    expect((await rejection(svc.search('docs', { queryVector: [1, 0, 0], options: { topK: 0 } }))).violations[0]!.field).toBe('options.topk');
    expect((await rejection(svc.search('docs', { queryVector: [1, 0, 0], options: { topK: 100_000 } }))).violations[0]!.field).toBe('options.topk');
    const bad = await rejection(svc.search('docs', { queryVector: [1, 0, 0], options: { topK: 1, filter: { a: { $like: 'x' } } } }));
    expect(bad.violations[0]!.field).toBe('options.filter.a.$like');
    expect((await rejection(svc.search('nope', { queryVector: [1, 0, 0] }))).code).toBe('NOT_FOUND');
  });

  it('rejects unsupported index types naming the supported ones', async () => {
    const err = await rejection(svc.createIndex('docs', { indexType: 'DISKANN' }));
    expect(err.violations[0]!.field).toBe('index_params.index_type');
    expect(err.message).toContain('HNSW');
  });

  it('searches with filters and the score convention', async () => {
    await svc.insert('docs', [
      { id: 'a', vector: [1, 0, 0], metadata: { lang: 'en', year: 2001 } },
      { id: 'b', vector: [0.9, 0.1, 0], metadata: { lang: 'de', year: 1999 } },
      { id: 'c', vector: [0, 1, 0], metadata: { year: 2005 } },
    ]);
    const hits = await svc.search('docs', { queryVector: [1, 0, 0], options: { topK: 3, filter: { $or: [{ lang: 'en' }, { lang: { $exists: false } }] } } });
    expect(hits.map((h) => h.id)).toEqual(['a', 'c']);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect(hits[0]!.vector).toBeUndefined();
    const all = await svc.search('docs', { queryVector: [1, 0, 0] });
    expect(all).toHaveLength(3);
  });

  it('does not start work for a caller that already left', async () => {
    const ctl = new AbortController();
    ctl.abort();
    expect((await rejection(svc.listCollections({ signal: ctl.signal }))).code).toBe('CANCELLED');
  });
});
