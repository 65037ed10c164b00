import { matchesFilter, parseFilter, type VectorRecord } from '../../../src/domain';
import { ENGINES, onEach, rng, spec, useStores } from './contract-harness';

/**
 * The filter language on every store, checked against the reference evaluator
 * (src/domain/filter/filter-evaluator.ts): type-strict comparisons, two-valued NOT, $ne/$nin on
 * missing fields, $exists meaning "holds a scalar", nesting, and user text matched literally.
 */
const stores = useStores();
const INJECTIONS = ["' OR 1=1 --", '") or ("', 'back\\slash', 'tail\\', '"quoted"', "it's", 'new\nline\r\ttab', 'nul\u0000byte', 'uni ☃ 😀 ñ', '%_like_*', ''];
const KEYS = ['we"ird', 'back\\slash', "it's", 'sl/ash', 'ti~lde', 'br[ack]et', 'sp ace', 'ключ', "' OR 1=1 --"];

const metadata: Record<string, unknown>[] = [
  { genre: 'scifi', year: 1999, rating: 4.5, active: true, author: { name: "O'Brien", born: 1950, address: { city: 'Cork' } }, tags: ['a', 'b'] },
  { genre: 'scifi', year: 2005, rating: 3, active: false, author: { name: 'Le Guin', born: 1929 } },
  { genre: 'romance', year: '1999', rating: '4.5', active: 'true', author: 'anonymous' },
  { genre: 'romance', year: 2010.5, active: null, author: { name: null } },
  { genre: 'horror', year: -3, rating: 0, author: { address: { city: 'Providence' } }, tags: [] },
  { genre: 'Scifi', year: 0, active: true, nested: { deep: { deeper: { deepest: 7 } } } },
  { year: 1e21, rating: -0.5, active: false, genre: ['scifi'] },
  { genre: { name: 'scifi' }, rating: 5, author: {} },
  {},
  { tags: 'single', rating: 'high' },
  ...INJECTIONS.map((text, i) => ({ note: text, n: i, [KEYS[i % KEYS.length]!]: text })),
  { 'we"ird': 1, 'back\\slash': true, 'ключ': 2.5 },
];

const filters: Record<string, unknown>[] = [
  { genre: 'scifi' },
  { genre: { $eq: 'Scifi' } },
  { genre: { $ne: 'scifi' } },
  { year: 1999 },
  { year: '1999' },
  { year: { $gte: 1999, $lt: 2010 } },
  { year: { $gt: -10, $lte: 0 } },
  { year: { $gt: 1e20 } },
  { rating: { $lte: 0 } },
  { rating: { $gt: '4' } },
  { active: true },
  { active: { $ne: true } },
  { active: { $in: [true, 'true'] } },
  { genre: { $in: ['scifi', 'horror', 7, false] } },
  { genre: { $nin: ['scifi', 'romance'] } },
  { year: { $nin: [1999, 2005] } },
  { genre: { $exists: true } },
  { genre: { $exists: false } },
  { active: { $exists: false } },
  { tags: { $exists: true } },
  { 'author.name': "O'Brien" },
  { 'author.name': { $exists: true } },
  { 'author.address.city': { $in: ['Cork', 'Providence'] } },
  { 'nested.deep.deeper.deepest': { $gte: 7 } },
  { 'author.born': { $not: { $gt: 1940 } } },
  { $not: { genre: 'scifi' } },
  { $not: { $or: [{ genre: 'scifi' }, { year: { $lt: 2000 } }] } },
  { $or: [{ genre: 'romance' }, { rating: { $gte: 4.5 } }], active: { $exists: true } },
  { $and: [{ $or: [{ year: { $lt: 2000 } }, { year: { $exists: false } }] }, { $not: { active: false } }] },
  { $or: [{ 'author.name': 'Le Guin' }, { $and: [{ genre: 'horror' }, { tags: { $exists: false } }] }] },
  { n: { $in: [0, 2, 4, 6, 8, 10] }, note: { $ne: '' } },
  ...INJECTIONS.map((text) => ({ note: text })),
  { note: { $in: INJECTIONS.slice(0, 5) } },
  { note: { $nin: INJECTIONS } },
  ...KEYS.map((key) => ({ [key]: { $exists: true } })),
  { 'we"ird': 1 },
  { 'back\\slash': { $in: [true, 'back\\slash'] } },
  { 'ключ': { $gt: 2 } },
  { "' OR 1=1 --": INJECTIONS[8]! },
];

const records: VectorRecord[] = metadata.map((m, i) => {
  const next = rng(500 + i);
  return { id: `r${i}`, vector: Array.from({ length: 4 }, () => next() * 2), metadata: m };
});

describe('the VectorStore contract: filters', () => {
  beforeAll(async () => {
    await onEach(stores, async (store) => {
      await store.createCollection(spec('filtered', 4, 'L2'));
      await store.insert('filtered', () => records);
    });
  }, 120_000);

  it.each(filters.map((f) => [JSON.stringify(f), f] as const))('%s selects the rows the reference evaluator selects', async (_label, filter) => {
    const node = parseFilter(filter)!;
    const expected = records.filter((r) => matchesFilter(node, r.metadata)).map((r) => r.id).sort();
    const found = await onEach(stores, async (store) =>
      (await store.search('filtered', () => ({ vector: [0, 0, 0, 0], topK: 1024, includeVector: false, filter: node }))).map((h) => h.id).sort(),
    );
    for (const engine of ENGINES) expect({ engine, ids: found[engine] }).toEqual({ engine, ids: expected });
  });

  it('the filters above cover both outcomes: each selects some rows and leaves others', () => {
    const selective = filters.filter((f) => {
      const matched = records.filter((r) => matchesFilter(parseFilter(f)!, r.metadata)).length;
      return matched > 0 && matched < records.length;
    });
    expect(filters.filter((f) => !selective.includes(f))).toEqual([]);
  });
});
