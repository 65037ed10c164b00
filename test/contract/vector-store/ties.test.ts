import { compareIds, parseFilter, type MetricType, type SearchQuery, type VectorRecord } from '../../../src/domain';
import { ENGINES, expectSameHits, onEach, rng, spec, useStores } from './contract-harness';

/**
 * Ties: hits with equal scores come back by id in byte order (UTF-8) on every store, also when
 * top-k cuts a tie group, which the engines must then read past k to get the right members.
 * Duplicate vectors make exact ties under every metric; the rows go in over several writes, in an
 * order unrelated to their ids, so neither an engine's row order nor its segments decide.
 */
const stores = useStores();
const DIM = 8;
const next = rng(99);
const bases = Array.from({ length: 4 }, () => Array.from({ length: DIM }, () => next() * 2));

/**
 * Ids whose byte order differs from JavaScript's `<` (UTF-16): 'ｚ' (U+FF5A, bytes EF BD 9A)
 * sorts before '𝔸' (U+1D538, bytes F0 9D 94 B8) in bytes, after it in UTF-16.
 */
const TRICKY = ['𝔸', 'ｚ', 'é', 'Z', 'a', '10', '9', 'a0', 'a_', 'A'];
/** Group sizes: 40 and 60 are long enough that a cut at k=10 needs more than one extra fetch. */
const SIZES = [12, 40, 60, 7];

const records: VectorRecord[] = SIZES.flatMap((size, g) =>
  Array.from({ length: size }, (_, i) => ({
    id: g === 0 ? `${TRICKY[i % TRICKY.length]}${i >= TRICKY.length ? i : ''}` : `g${g}-${String((i * 37) % size).padStart(2, '0')}`,
    vector: bases[g]!,
    metadata: { g, odd: i % 2 === 1 },
  })),
);
/** Scrambled, then written in five parts. */
const scrambled = [...records].sort((a, b) => ((records.indexOf(a) * 7919) % 101) - ((records.indexOf(b) * 7919) % 101));
const parts = Array.from({ length: 5 }, (_, p) => scrambled.filter((_, i) => i % 5 === p));

describe.each<MetricType>(['COSINE', 'IP', 'L2'])('the VectorStore contract: ties on %s', (metric) => {
  const name = `ties_${metric.toLowerCase()}`;

  beforeAll(async () => {
    await onEach(stores, async (store) => {
      await store.createCollection(spec(name, DIM, metric, { indexType: 'FLAT', metricType: metric, params: {} }));
      for (const part of parts) await store.insert(name, () => part);
    });
  }, 120_000);

  it('orders a tie group by id in byte order, the same on every store', async () => {
    const query: SearchQuery = { vector: bases[0]!, topK: SIZES[0]!, includeVector: false, filter: null };
    const hits = await onEach(stores, (store) => store.search(name, () => query));
    const group = records.filter((r) => r.metadata.g === 0).map((r) => r.id);
    if (metric !== 'IP') {
      // The query's own group is the closest (for IP another group may score higher).
      expect(hits.memory.map((h) => h.id)).toEqual([...group].sort(compareIds));
      expect(hits.memory.map((h) => h.id).indexOf('ｚ')).toBeLessThan(hits.memory.map((h) => h.id).indexOf('𝔸'));
    }
    for (const engine of ENGINES) expectSameHits(hits[engine], hits.memory);
  });

  it('a top-k that cuts a tie group returns its smallest ids, with and without a filter', async () => {
    const filters = [null, { odd: true }, { g: { $in: [1, 2] } }, { $and: [{ odd: false }, { g: { $ne: 0 } }] }];
    const queries = bases.flatMap((base) =>
      filters.flatMap((filter) => [1, 3, 10, 13, 45, 100].map((topK): SearchQuery => ({ vector: base, topK, includeVector: topK === 3, filter: parseFilter(filter) }))),
    );
    // All 96 searches at once: on Milvus each waits for a time tick (Strong reads), and
    // one after another that waiting was most of the file's time.
    await Promise.all(
      queries.map(async (query) => {
        const hits = await onEach(stores, (store) => store.search(name, () => query));
        for (const engine of ENGINES) expectSameHits(hits[engine], hits.memory);
        // The reference really cut inside groups: consecutive equal scores come in id order.
        hits.memory.forEach((h, i) => {
          const prev = hits.memory[i - 1];
          if (prev !== undefined && prev.score === h.score) expect(compareIds(prev.id, h.id)).toBeLessThan(0);
        });
      }),
    );
  });
});
