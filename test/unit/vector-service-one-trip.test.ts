import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { VectorService, type VectorStore } from '../../src/domain';

/**
 * One trip to the store per call: every VectorService operation calls exactly one port method,
 * whether it succeeds or fails a check that needs the collection's declaration. The store is the
 * reference store behind a counting proxy (a unit test's fake: it records calls, the reference does
 * the work).
 */
function countingStore(): { store: VectorStore; calls: string[] } {
  const inner = new MemoryVectorStore();
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe('VectorService makes one store call per operation', () => {
  let svc: VectorService;
  let calls: string[];

  beforeEach(async () => {
    const counting = countingStore();
    calls = counting.calls;
    svc = new VectorService(counting.store);
    await svc.createCollection({ name: 'docs', vectorDim: 3 });
    await svc.insert('docs', [
      { id: 'a', vector: [1, 0, 0], metadata: { n: 1 } },
      { id: 'b', vector: [0, 1, 0], metadata: { n: 2 } },
    ]);
    calls.length = 0;
  });

  /** Runs `call` (its outcome does not matter here) and returns the port methods it used. */
  async function tripsOf(call: () => Promise<unknown>): Promise<string[]> {
    calls.length = 0;
    await call().catch(() => undefined);
    return [...calls];
  }

  it.each<[string, (s: VectorService) => Promise<unknown>, string]>([
    ['createCollection', (s) => s.createCollection({ name: 'other', vectorDim: 2 }), 'createCollection'],
    ['dropCollection', (s) => s.dropCollection('docs'), 'dropCollection'],
    ['hasCollection', (s) => s.hasCollection('docs'), 'hasCollection'],
    ['listCollections', (s) => s.listCollections(), 'listCollections'],
    ['getCollectionInfo', (s) => s.getCollectionInfo('docs'), 'getCollection'],
    ['getCollectionStats', (s) => s.getCollectionStats('docs'), 'stats'],
    ['createIndex', (s) => s.createIndex('docs', { indexType: 'HNSW' }), 'createIndex'],
    ['dropIndex', (s) => s.dropIndex('docs'), 'dropIndex'],
    ['hasIndex', (s) => s.hasIndex('docs'), 'getCollection'],
    ['insert', (s) => s.insert('docs', [{ id: 'c', vector: [0, 0, 1] }]), 'insert'],
    ['upsert', (s) => s.upsert('docs', [{ id: 'a', vector: [0, 0, 1] }]), 'upsert'],
    ['delete', (s) => s.delete('docs', ['a']), 'delete'],
    ['search', (s) => s.search('docs', { queryVector: [1, 0, 0], options: { topK: 1 } }), 'search'],
    ['getById', (s) => s.getById('docs', 'a'), 'get'],
    ['compact', (s) => s.compact('docs'), 'compact'],
    ['health', (s) => s.health(), 'health'],
    ['listVectors', (s) => s.listVectors('docs', { pageSize: 1, filter: { n: 1 } }), 'scan'],
    ['countVectors', (s) => s.countVectors('docs', { n: 1 }), 'count'],
    ['createAlias', (s) => s.createAlias('live', 'docs'), 'createAlias'],
    ['alterAlias', async (s) => {
      await s.createAlias('live', 'docs');
      calls.length = 0;
      return s.alterAlias('live', 'docs');
    }, 'alterAlias'],
    ['dropAlias', async (s) => {
      await s.createAlias('live', 'docs');
      calls.length = 0;
      return s.dropAlias('live');
    }, 'dropAlias'],
    ['listAliases', (s) => s.listAliases('docs'), 'listAliases'],
  ])('%s succeeds in one call (%s → %s)', async (_, call, method) => {
    let failure: unknown;
    expect(await tripsOf(() => call(svc).catch((e: unknown) => (failure = e)))).toEqual([method]);
    expect(failure).toBeUndefined();
  });

  it('lists page after page through an alias in one call each, the token checked against the collection in that call', async () => {
    await svc.createAlias('live', 'docs');
    calls.length = 0;
    const first = await svc.listVectors('live', { pageSize: 1 });
    const second = await svc.listVectors('docs', { pageSize: 1, pageToken: first.nextPageToken });
    expect(calls).toEqual(['scan', 'scan']);
    expect([...first.vectors, ...second.vectors].map((v) => v.id)).toEqual(['a', 'b']);
    expect(second.nextPageToken).toBe('');
  });

  it.each<[string, (s: VectorService) => Promise<unknown>, string]>([
    ['search with the wrong dimension', (s) => s.search('docs', { queryVector: [1, 0], options: { topK: 1 } }), 'search'],
    ['search of an unknown collection', (s) => s.search('nope', { queryVector: [1, 0, 0] }), 'search'],
    ['insert with the wrong dimension', (s) => s.insert('docs', [{ id: 'c', vector: [1, 0] }]), 'insert'],
    ['upsert of a zero vector under COSINE', (s) => s.upsert('docs', [{ id: 'c', vector: [0, 0, 0] }]), 'upsert'],
    ['createIndex without an index type', (s) => s.createIndex('docs', { metricType: 'L2' }), 'createIndex'],
    ['delete in an unknown collection', (s) => s.delete('nope', ['a']), 'delete'],
    ['a listing with a token of another collection', async (s) => {
      await s.createCollection({ name: 'other', vectorDim: 3 });
      await s.insert('other', [{ id: 'x', vector: [1, 0, 0] }, { id: 'y', vector: [0, 1, 0] }]);
      const token = (await s.listVectors('other', { pageSize: 1 })).nextPageToken;
      calls.length = 0;
      return s.listVectors('docs', { pageSize: 1, pageToken: token });
    }, 'scan'],
    ['an alias of an unknown collection', (s) => s.createAlias('live', 'nope'), 'createAlias'],
  ])('%s fails in that one call, nothing changed', async (_, call, method) => {
    expect(await tripsOf(() => call(svc))).toEqual([method]);
    expect(await svc.getById('docs', 'a')).toEqual({ id: 'a', vector: [1, 0, 0], metadata: { n: 1 } });
    expect((await svc.getCollectionStats('docs')).vectorCount).toBe(2);
    expect(await svc.hasIndex('docs')).toBe(false);
  });

  it('checks that need no declaration never reach the store', async () => {
    expect(await tripsOf(() => svc.search('docs', { queryVector: [1, 0, 0], options: { topK: 0 } }))).toEqual([]);
    expect(await tripsOf(() => svc.insert('9bad', [{ id: 'a', vector: [1, 0, 0] }]))).toEqual([]);
    expect(await tripsOf(() => svc.delete('docs', []))).toEqual([]);
    expect(await tripsOf(() => svc.listVectors('docs', { pageSize: 1001 }))).toEqual([]);
    expect(await tripsOf(() => svc.listVectors('docs', { pageToken: 'garbage' }))).toEqual([]);
    expect(await tripsOf(() => svc.countVectors('docs', { $bad: 1 }))).toEqual([]);
    expect(await tripsOf(() => svc.createAlias('9bad', 'docs'))).toEqual([]);
  });

  it('an index without a metric takes the collection’s, read in the same call', async () => {
    await svc.createCollection({ name: 'ip', vectorDim: 3, indexParams: { metricType: 'IP' } });
    expect(await tripsOf(() => svc.createIndex('ip', { indexType: 'HNSW' }))).toEqual(['createIndex']);
    expect((await svc.getCollectionInfo('ip')).indexParams).toMatchObject({ indexType: 'HNSW', metricType: 'IP' });
  });
});
