import type { IndexSpec, SearchQuery } from '../../../src/domain';
import { ENGINES, codeOf, onEach, randomRecords, spec, useStores } from './contract-harness';

/** Collections, indexes and errors: every store answers like the reference. */
const stores = useStores();
const query: SearchQuery = { vector: [1, 0, 0], topK: 1, includeVector: false, filter: null };

describe('the VectorStore contract: collections', () => {
  it('creates, describes, lists and drops collections alike', async () => {
    const seen = await onEach(stores, async (store) => {
      const created = await store.createCollection(spec('books', 3, 'L2', null, 'novels ☃ "quoted"'));
      const second = await store.createCollection(spec('Authors', 5));
      const listed = await store.listCollections();
      const has = [await store.hasCollection('books'), await store.hasCollection('nope')];
      const described = await store.getCollection('books');
      await store.dropCollection('Authors');
      return { created, second, described, listed, has, after: await store.listCollections() };
    });
    for (const engine of ENGINES) {
      const s = seen[engine];
      expect(s.created).toMatchObject({ name: 'books', description: 'novels ☃ "quoted"', dimension: 3, metricType: 'L2', index: null });
      expect(s.created.createdAt).toBe(s.created.updatedAt);
      expect(s.described).toEqual(s.created);
      expect(s.second).toMatchObject({ name: 'Authors', dimension: 5, metricType: 'COSINE', index: null });
      expect(s.listed).toEqual(['Authors', 'books']);
      expect(s.has).toEqual([true, false]);
      expect(s.after).toEqual(['books']);
    }
  });

  it('answers ALREADY_EXISTS and NOT_FOUND with the same codes on every operation', async () => {
    const codes = await onEach(stores, async (store) => {
      const missing = [
        () => store.getCollection('nope'),
        () => store.dropCollection('nope'),
        () => store.stats('nope'),
        () => store.insert('nope', () => [{ id: 'a', vector: [1, 2, 3], metadata: {} }]),
        () => store.upsert('nope', () => [{ id: 'a', vector: [1, 2, 3], metadata: {} }]),
        () => store.delete('nope', ['a']),
        () => store.get('nope', ['a']),
        () => store.search('nope', () => query),
        () => store.createIndex('nope', () => ({ indexType: 'HNSW', metricType: 'COSINE', params: {} })),
        () => store.dropIndex('nope'),
        () => store.compact('nope'),
      ];
      const codes: string[] = [];
      for (const call of missing) codes.push(await codeOf(call()));
      return { exists: await codeOf(store.createCollection(spec('books', 3))), missing: codes };
    });
    for (const engine of ENGINES) {
      expect(codes[engine].exists).toBe('ALREADY_EXISTS');
      expect(codes[engine].missing).toEqual(Array(11).fill('NOT_FOUND'));
    }
    // The failed create changed nothing.
    const kept = await onEach(stores, (store) => store.getCollection('books'));
    for (const engine of ENGINES) expect(kept[engine]).toMatchObject({ dimension: 3, metricType: 'L2', description: 'novels ☃ "quoted"' });
  });

  it('a dropped name can be created again, empty and with new settings', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createCollection(spec('again', 4));
      await store.insert('again', () => randomRecords(3, 4, 1));
      await store.dropCollection('again');
      const info = await store.createCollection(spec('again', 2, 'IP'));
      await store.insert('again', () => [{ id: 'v0', vector: [1, 0], metadata: { fresh: true } }]);
      const result = { info, stats: await store.stats('again'), got: await store.get('again', ['v0', 'v1']) };
      await store.dropCollection('again');
      return result;
    });
    for (const engine of ENGINES) {
      expect(seen[engine].info).toMatchObject({ dimension: 2, metricType: 'IP', index: null });
      expect(seen[engine].stats.vectorCount).toBe(1);
      expect(seen[engine].got).toEqual([{ id: 'v0', vector: [1, 0], metadata: { fresh: true } }]);
    }
  });

  it('keeps the declared index apart from whatever the engine builds; CreateIndex sets the metric, DropIndex keeps it', async () => {
    const hnsw: IndexSpec = { indexType: 'HNSW', metricType: 'IP', params: { m: 8, ef_construction: 64 } };
    const seen = await onEach(stores, async (store) => {
      const created = await store.createCollection(spec('indexed', 4, 'COSINE', { indexType: 'FLAT', metricType: 'COSINE', params: {} }));
      await store.insert('indexed', () => randomRecords(20, 4, 2));
      const before = await store.getCollection('indexed');
      await store.createIndex('indexed', () => hnsw);
      const withHnsw = await store.getCollection('indexed');
      const hits = await store.search('indexed', () => ({ ...query, vector: [0.1, 0.2, 0.3, 0.4], topK: 3 }));
      await store.dropIndex('indexed');
      const dropped = await store.getCollection('indexed');
      await store.dropIndex('indexed');
      const afterDrop = await store.search('indexed', () => ({ ...query, vector: [0.1, 0.2, 0.3, 0.4], topK: 3 }));
      const stats = await store.stats('indexed');
      await store.dropCollection('indexed');
      return { created, before, withHnsw, dropped, hits, afterDrop, stats };
    });
    for (const engine of ENGINES) {
      const s = seen[engine];
      expect(s.created.index).toEqual({ indexType: 'FLAT', metricType: 'COSINE', params: {} });
      expect(s.before.updatedAt).toBeGreaterThan(s.created.updatedAt);
      expect(s.withHnsw).toMatchObject({ metricType: 'IP', index: hnsw });
      expect(s.withHnsw.updatedAt).toBeGreaterThan(s.before.updatedAt);
      expect(s.dropped).toMatchObject({ metricType: 'IP', index: null });
      expect(s.hits).toHaveLength(3);
      expect(s.afterDrop.map((h) => h.id)).toEqual(seen.memory.afterDrop.map((h) => h.id));
      expect(s.stats.vectorCount).toBe(20);
      expect(s.stats.sizeInBytes).toBeGreaterThan(0);
    }
  });

  it('rejects index parameters it cannot use with INVALID_ARGUMENT naming them, and changes nothing', async () => {
    // The reference builds no index, so it takes any parameters; the engines must refuse alike.
    for (const store of [stores.lance, stores.milvus]) {
      await store.createCollection(spec('params', 6));
      await expect(store.createIndex('params', () => ({ indexType: 'IVF_PQ', metricType: 'L2', params: { m: 4 } }))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('index_params.params.m'),
      });
      await expect(store.createIndex('params', () => ({ indexType: 'HNSW', metricType: 'L2', params: { m: 'many' } }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await store.getCollection('params')).toMatchObject({ metricType: 'COSINE', index: null });
      await store.dropCollection('params');
    }
  });
});
