import { parseFilter, type MetricType, type SearchQuery } from '../../../src/domain';
import { ENGINES, expectSameHits, onEach, randomRecords, rng, spec, useStores } from './contract-harness';

/** Exact (FLAT) search: the same ids in the same order and the same scores (1e-4) on every store. */
const stores = useStores();
const DIM = 16;
const records = randomRecords(300, DIM, 7, (i) => ({ i, group: ['a', 'b', 'c'][i % 3]!, even: i % 2 === 0 }));
const queries = Array.from({ length: 5 }, (_, q) => {
  const next = rng(1000 + q);
  return Array.from({ length: DIM }, () => next() * 2);
});

describe.each<MetricType>(['COSINE', 'IP', 'L2'])('the VectorStore contract: FLAT search on %s', (metric) => {
  const name = `search_${metric.toLowerCase()}`;

  beforeAll(async () => {
    await onEach(stores, async (store) => {
      await store.createCollection(spec(name, DIM, metric, { indexType: 'FLAT', metricType: metric, params: {} }));
      await store.insert(name, () => records);
    });
  }, 120_000);

  it('returns the reference ids, order and scores, with vectors when asked', async () => {
    for (const vector of queries) {
      for (const [topK, includeVector] of [[1, false], [10, true], [300, false], [1024, false]] as const) {
        const query: SearchQuery = { vector, topK, includeVector, filter: null };
        const hits = await onEach(stores, (store) => store.search(name, () => query));
        expect(hits.memory).toHaveLength(Math.min(topK, records.length));
        for (const engine of ENGINES) expectSameHits(hits[engine], hits.memory);
      }
    }
    // Many searches with up to 1,024 hits each on three engines: minutes on a busy 2-core machine.
  }, 300_000);

  it('scores follow the convention: similarity for COSINE/IP (descending), squared distance for L2 (ascending)', async () => {
    const target = records[42]!;
    const hits = await onEach(stores, (store) => store.search(name, () => ({ vector: target.vector, topK: 5, includeVector: false, filter: null })));
    const self = metric === 'COSINE' ? 1 : metric === 'L2' ? 0 : target.vector.reduce((s, x) => s + Math.fround(x) * Math.fround(x), 0);
    for (const engine of ENGINES) {
      const scores = hits[engine].map((h) => h.score);
      expect(scores).toEqual([...scores].sort((a, b) => (metric === 'L2' ? a - b : b - a)));
      if (metric !== 'IP') expect(hits[engine][0]).toMatchObject({ id: target.id });
      if (metric !== 'IP') expect(Math.abs(hits[engine][0]!.score - self)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('a filtered search returns the k nearest among the matching rows, however few match', async () => {
    for (const filter of [{ group: 'b' }, { even: true, i: { $lt: 40 } }, { i: { $in: [3, 150, 299] } }, { group: 'none' }]) {
      const query: SearchQuery = { vector: queries[0]!, topK: 7, includeVector: false, filter: parseFilter(filter) };
      const hits = await onEach(stores, (store) => store.search(name, () => query));
      for (const engine of ENGINES) expectSameHits(hits[engine], hits.memory);
    }
  });

  it('sees writes at once: upserted, deleted and new rows', async () => {
    const moved = { ...records[0]!, vector: queries[1]!.map((x) => x * 3) };
    const hits = await onEach(stores, async (store) => {
      await store.upsert(name, () => [moved]);
      await store.delete(name, ['v1']);
      await store.insert(name, () => [{ id: 'late', vector: queries[2]!, metadata: { late: true } }]);
      const found = [
        await store.search(name, () => ({ vector: queries[1]!, topK: 3, includeVector: false, filter: null })),
        await store.search(name, () => ({ vector: queries[2]!, topK: 3, includeVector: false, filter: null })),
      ];
      await store.upsert(name, () => [records[0]!, records[1]!]);
      await store.delete(name, ['late']);
      return found;
    });
    for (const engine of ENGINES) hits[engine].forEach((h, i) => expectSameHits(h, hits.memory[i]!));
    expect(hits.memory[1]![0]!.id).toBe('late');
    expect(hits.memory[0]!.map((h) => h.id)).not.toContain('v1');
  });
});
