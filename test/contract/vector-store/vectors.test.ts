import type { VectorRecord } from '../../../src/domain';
import { ENGINES, byId, codeOf, onEach, randomRecords, spec, useStores } from './contract-harness';

/** Writes and reads by id: every store answers like the reference. */
const stores = useStores();

const awkward: VectorRecord = {
  id: "id with ' \" \\ spaces, ☃ and 😀",
  vector: [0.5, -1, 2],
  metadata: {
    s: 'x',
    n: 1.5,
    big: 1e21,
    neg: -7,
    b: false,
    nil: null,
    arr: [1, 'two', { three: 3 }],
    deep: { a: { b: 'c' } },
    'we.ird': '☃\n"\'',
    empty: {},
    injection: "' OR 1=1 --",
  },
};

describe('the VectorStore contract: vectors', () => {
  beforeAll(async () => {
    await onEach(stores, (store) => store.createCollection(spec('docs', 3, 'COSINE')));
  });

  it('round-trips ids, float32 vectors and arbitrary JSON metadata exactly', async () => {
    const plain: VectorRecord = { id: 'plain', vector: [0.1, 0.2, 0.3], metadata: {} };
    const got = await onEach(stores, async (store) => {
      await store.insert('docs', () => [awkward, plain]);
      return byId(await store.get('docs', [awkward.id, 'plain', 'missing']));
    });
    expect(got.memory.map((r) => r.id)).toEqual(['plain', awkward.id].sort());
    for (const engine of ENGINES) expect(got[engine]).toEqual(got.memory);
    expect(got.memory.find((r) => r.id === awkward.id)!.metadata).toEqual(awkward.metadata);
  });

  it('Insert of a stored id fails ALREADY_EXISTS naming it, and writes nothing of that batch', async () => {
    const seen = await onEach(stores, async (store) => {
      const error = await store.insert('docs', () => [{ id: 'fresh', vector: [1, 1, 1], metadata: {} }, { ...awkward, metadata: { overwritten: true } }]).then(
        () => undefined,
        (e: { code: string; message: string }) => e,
      );
      return { error, fresh: await store.get('docs', ['fresh']), kept: await store.get('docs', [awkward.id]), stats: await store.stats('docs') };
    });
    for (const engine of ENGINES) {
      expect(seen[engine].error).toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining(`'${awkward.id}'`) });
      expect(seen[engine].fresh).toEqual([]);
      expect(seen[engine].kept).toEqual(seen.memory.kept);
      expect(seen[engine].stats.vectorCount).toBe(2);
    }
  });

  it('Upsert overwrites whole records and adds new ones; Delete is idempotent; reads see every write at once', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.upsert('docs', () => [{ id: 'plain', vector: [0, 0, 1], metadata: { s: 'y' } }, { id: 'new', vector: [0, 1, 0], metadata: { s: 'z' } }]);
      const afterUpsert = byId(await store.get('docs', ['plain', 'new']));
      const oldKey = await store.search('docs', () => ({ vector: [1, 1, 1], topK: 10, includeVector: false, filter: { kind: 'exists', path: ['empty'] } }));
      await store.delete('docs', ['new', 'never-existed']);
      await store.delete('docs', ['new']);
      const afterDelete = await store.get('docs', ['new']);
      await store.insert('docs', () => [{ id: 'new', vector: [1, 2, 3], metadata: {} }]);
      const reinserted = await store.get('docs', ['new']);
      await store.delete('docs', ['new']);
      return { afterUpsert, oldKey, afterDelete, reinserted, count: (await store.stats('docs')).vectorCount };
    });
    for (const engine of ENGINES) {
      expect(seen[engine]).toEqual(seen.memory);
    }
    expect(seen.memory.afterUpsert).toEqual([
      { id: 'new', vector: [0, 1, 0], metadata: { s: 'z' } },
      { id: 'plain', vector: [0, 0, 1], metadata: { s: 'y' } },
    ]);
    expect(seen.memory.count).toBe(2);
  });

  it('handles batches larger than one engine request, all or nothing', async () => {
    const big = randomRecords(1200, 3, 11, (i) => ({ i, pad: 'x'.repeat(16_000) }));
    const seen = await onEach(stores, async (store) => {
      await store.createCollection(spec('big', 3, 'L2'));
      await store.insert('big', () => big);
      const clash = await codeOf(store.insert('big', () => [...randomRecords(5, 3, 12).map((r) => ({ ...r, id: `new-${r.id}` })), big[1000]!]));
      const stats = await store.stats('big');
      const sample = byId(await store.get('big', ['v0', 'v999', 'v1199', 'new-v0']));
      await store.dropCollection('big');
      return { clash, count: stats.vectorCount, sample };
    });
    for (const engine of ENGINES) {
      expect(seen[engine].clash).toBe('ALREADY_EXISTS');
      expect(seen[engine].count).toBe(1200);
      expect(seen[engine].sample).toEqual(seen.memory.sample);
    }
  });

  it('Compact keeps every row and every answer', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.compact('docs');
      return { all: byId(await store.get('docs', [awkward.id, 'plain'])), count: (await store.stats('docs')).vectorCount };
    });
    for (const engine of ENGINES) expect(seen[engine]).toEqual(seen.memory);
  });

  it('keeps no reference to a written vector once the write has settled (the gRPC door reuses the buffer)', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createCollection(spec('reused', 3, 'L2'));
      // Two requests' vectors in one reused buffer, as the gRPC door decodes them: each write's
      // floats are overwritten by the next request's once the write has settled.
      const slab = new Float32Array(6);
      const views = (values: number[]): Float32Array[] => {
        slab.set(values);
        return [slab.subarray(0, 3), slab.subarray(3, 6)];
      };
      const [a, b] = views([1, 2, 3, 4, 5, 6]);
      await store.insert('reused', () => [{ id: 'a', vector: a!, metadata: {} }, { id: 'b', vector: b!, metadata: {} }]);
      const [c, d] = views([7, 8, 9, 10, 11, 12]);
      await store.upsert('reused', () => [{ id: 'c', vector: c!, metadata: {} }, { id: 'd', vector: d!, metadata: {} }]);
      slab.fill(-1);
      return byId(await store.get('reused', ['a', 'b', 'c', 'd'])).map((r) => [r.id, ...r.vector]);
    });
    const expected = [['a', 1, 2, 3], ['b', 4, 5, 6], ['c', 7, 8, 9], ['d', 10, 11, 12]];
    for (const engine of ENGINES) expect(seen[engine]).toEqual(expected);
  });

  it('does not start work for a caller that already left', async () => {
    const signal = AbortSignal.abort();
    const seen = await onEach(stores, async (store) => ({
      insert: await codeOf(store.insert('docs', () => [{ id: 'late', vector: [1, 2, 3], metadata: {} }], { signal })),
      search: await codeOf(store.search('docs', () => ({ vector: [1, 2, 3], topK: 1, includeVector: false, filter: null }), { signal })),
      stored: await store.get('docs', ['late']),
    }));
    for (const engine of ENGINES) expect(seen[engine]).toEqual({ insert: 'CANCELLED', search: 'CANCELLED', stored: [] });
  });
});
