import type { VectorIn } from './calls';
import { answers, refused, satisfies, type ParityCase } from './parity-case';
import { LITERAL, NASTY, ROWS } from './vector-fixtures';

/** The successful behaviour of the first 16 VectorService operations (the seed's; listing-cases.ts holds the other 6): one table, both doors. */

const create = (name: string, metricType?: string) =>
  ({ op: 'createCollection', name, vectorDim: 4, ...(metricType === undefined ? {} : { indexParams: { metricType } }) }) as const;
const seeded = (name: string, metricType?: string) => [create(name, metricType), { op: 'insert', collection: name, vectors: ROWS } as const];
const ids = (r: { results: { id: string }[] }) => r.results.map((h) => h.id);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Times differ between the two doors' runs; everything else must not. */
const timeless = (r: Record<string, unknown>) => ({ ...r, createdAt: 0, updatedAt: 0 });

/** Nested objects `levels` deep, the top one counted. */
export function nested(levels: number): Record<string, unknown> {
  let value: unknown = 'leaf';
  for (let i = 1; i < levels; i++) value = { k: value };
  return { k: value };
}

export const vectorCases: ParityCase[] = [
  {
    name: 'CreateCollection answers its message; HasCollection and ListCollections see the collection',
    call: { op: 'createCollection', name: 'life_b', description: 'second', vectorDim: 8 },
    expect: answers({ message: "collection 'life_b' created" }),
    then: [
      { call: { op: 'hasCollection', name: 'life_b' }, expect: answers({ exists: true }) },
      { call: { op: 'listCollections' }, expect: answers({ names: ['intact', 'life_b', 'literal'] }) },
    ],
  },
  {
    name: 'ListCollections names every collection in ascending order',
    given: [create('life_b'), { op: 'createCollection', name: 'life_a', vectorDim: 3 }],
    call: { op: 'listCollections' },
    expect: answers({ names: ['intact', 'life_a', 'life_b', 'literal'] }),
  },
  {
    name: 'HasCollection of a missing collection is false, not an error',
    call: { op: 'hasCollection', name: 'life_zzz' },
    expect: answers({ exists: false }),
  },
  {
    name: 'DropCollection answers its message; the collection is gone and a second drop is NOT_FOUND',
    given: [create('life_a')],
    call: { op: 'dropCollection', name: 'life_a' },
    expect: answers({ message: "collection 'life_a' dropped" }),
    then: [
      { call: { op: 'hasCollection', name: 'life_a' }, expect: answers({ exists: false }) },
      { call: { op: 'getCollectionInfo', name: 'life_a' }, expect: refused('NOT_FOUND', undefined, { says: "'life_a'" }) },
      { call: { op: 'dropCollection', name: 'life_a' }, expect: refused('NOT_FOUND') },
    ],
  },
  {
    name: 'GetCollectionInfo: description, dimension, the metric (upper-cased) with an empty index type, Unix-ms times',
    given: [{ op: 'createCollection', name: 'info', description: 'about', vectorDim: 5, indexParams: { metricType: 'l2' } }],
    call: { op: 'getCollectionInfo', name: 'info' },
    expect: satisfies((info) => {
      expect(info).toEqual({
        name: 'info',
        description: 'about',
        vectorDim: 5,
        indexParams: { indexType: '', metricType: 'L2', params: {} },
        createdAt: expect.any(Number),
        updatedAt: expect.any(Number),
      });
      expect(Math.abs(info.createdAt - Date.now())).toBeLessThan(600_000);
      expect(info.updatedAt).toBeGreaterThanOrEqual(info.createdAt);
    }),
    same: timeless,
  },
  {
    name: 'GetCollectionStats counts the vectors',
    given: seeded('stats'),
    call: { op: 'getCollectionStats', name: 'stats' },
    expect: satisfies((stats) => {
      expect(stats).toEqual({ name: 'stats', vectorCount: 3, sizeInBytes: expect.any(Number) });
      expect(stats.sizeInBytes).toBeGreaterThanOrEqual(0);
    }),
    // The engine's file sizes are its own business; the count is ours.
    same: (stats) => ({ ...stats, sizeInBytes: 0 }),
  },
  {
    name: 'CreateIndex, HasIndex, DropIndex: each answers its message; the info reports the index',
    given: seeded('indexed'),
    call: { op: 'hasIndex', collection: 'indexed' },
    expect: answers({ exists: false }),
    then: [
      { call: { op: 'createIndex', collection: 'indexed', indexParams: { indexType: 'FLAT' } }, expect: answers({ message: "index built on collection 'indexed'" }) },
      { call: { op: 'hasIndex', collection: 'indexed' }, expect: answers({ exists: true }) },
      { call: { op: 'getCollectionInfo', name: 'indexed' }, expect: satisfies((info) => expect(info.indexParams).toEqual({ indexType: 'FLAT', metricType: 'COSINE', params: {} })), same: timeless },
      { call: { op: 'dropIndex', collection: 'indexed' }, expect: answers({ message: "index dropped from collection 'indexed'" }) },
      { call: { op: 'hasIndex', collection: 'indexed' }, expect: answers({ exists: false }) },
    ],
  },
  {
    name: 'CreateIndex takes any case and keeps its params; without a metric it keeps the collection\'s',
    given: seeded('hnsw', 'L2'),
    call: { op: 'createIndex', collection: 'hnsw', indexParams: { indexType: 'hnsw', params: { m: 16, ef_construction: 200 } } },
    expect: answers({ message: "index built on collection 'hnsw'" }),
    then: [
      {
        call: { op: 'getCollectionInfo', name: 'hnsw' },
        expect: satisfies((info) => expect(info.indexParams).toEqual({ indexType: 'HNSW', metricType: 'L2', params: { m: 16, ef_construction: 200 } })),
        same: timeless,
      },
      { call: { op: 'search', collection: 'hnsw', queryVector: [1, 0, 0, 0], options: { topK: 1 } }, expect: satisfies((r) => expect(ids(r)).toEqual(['a'])) },
    ],
  },
  {
    name: 'Insert answers every id in input order, generating empty and absent ones; GetByID reads each back',
    given: [create('ins')],
    call: { op: 'insert', collection: 'ins', vectors: [...ROWS, { id: '', vector: [0, 0, 1, 0] }, { vector: [0, 0, 0, 1] }] },
    expect: satisfies((r) => expect(r).toEqual({ ids: ['a', 'b', 'c', expect.stringMatching(UUID), expect.stringMatching(UUID)], message: 'inserted 5 vectors' })),
    same: (r) => ({ ...r, ids: r.ids.slice(0, 3) }),
    then: [
      { call: { op: 'getById', collection: 'ins', id: 'a' }, expect: answers({ vector: ROWS[0] }) },
      ([inserted]) => ({ call: { op: 'getById', collection: 'ins', id: inserted.ids[3] }, expect: answers({ vector: { id: inserted.ids[3], vector: [0, 0, 1, 0], metadata: {} } }), same: () => 'generated' }),
      ([inserted]) => ({ call: { op: 'getById', collection: 'ins', id: inserted.ids[4] }, expect: answers({ vector: { id: inserted.ids[4], vector: [0, 0, 0, 1], metadata: {} } }), same: () => 'generated' }),
      { call: { op: 'getById', collection: 'ins', id: 'missing' }, expect: refused('NOT_FOUND', undefined, { says: "'missing'" }) },
    ],
  },
  {
    name: 'Insert of one vector says so in the singular',
    given: [create('one')],
    call: { op: 'insert', collection: 'one', vectors: [ROWS[0]!] },
    expect: answers({ ids: ['a'], message: 'inserted 1 vector' }),
  },
  {
    name: 'Upsert overwrites by id and adds new ones',
    given: seeded('ups'),
    call: { op: 'upsert', collection: 'ups', vectors: [{ id: 'a', vector: [0, 0, 0, 1], metadata: { genre: 'poetry' } }, { id: 'd', vector: [0, 0, 1, 0] }] },
    expect: answers({ ids: ['a', 'd'], message: 'upserted 2 vectors' }),
    then: [
      { call: { op: 'getById', collection: 'ups', id: 'a' }, expect: answers({ vector: { id: 'a', vector: [0, 0, 0, 1], metadata: { genre: 'poetry' } } }) },
      { call: { op: 'getById', collection: 'ups', id: 'd' }, expect: answers({ vector: { id: 'd', vector: [0, 0, 1, 0], metadata: {} } }) },
      { call: { op: 'getCollectionStats', name: 'ups' }, expect: satisfies((s) => expect(s.vectorCount).toBe(4)), same: (s) => s.vectorCount },
    ],
  },
  {
    name: 'Delete removes the ids, ignores missing ones, and is idempotent',
    given: seeded('del'),
    call: { op: 'delete', collection: 'del', ids: ['a', 'nope', 'a'] },
    expect: answers({ message: 'deleted 2 ids (missing ids are ignored)' }),
    then: [
      { call: { op: 'getById', collection: 'del', id: 'a' }, expect: refused('NOT_FOUND') },
      { call: { op: 'delete', collection: 'del', ids: ['a'] }, expect: answers({ message: 'deleted 1 id (missing ids are ignored)' }) },
      { call: { op: 'getCollectionStats', name: 'del' }, expect: satisfies((s) => expect(s.vectorCount).toBe(2)), same: (s) => s.vectorCount },
    ],
  },
  {
    name: 'Search (COSINE): closest first, similarity scores, metadata as stored, no vector unless asked',
    given: seeded('s_cos'),
    call: { op: 'search', collection: 's_cos', queryVector: [1, 0, 0, 0], options: { topK: 2 } },
    expect: satisfies((r) => {
      expect(ids(r)).toEqual(['a', 'c']);
      expect(r.results[0].score).toBeCloseTo(1, 5);
      expect(r.results[1].score).toBeCloseTo(Math.SQRT1_2, 5);
      expect(r.results[0]).toEqual({ id: 'a', score: expect.any(Number), metadata: ROWS[0]!.metadata });
    }),
  },
  {
    name: 'Search without options answers up to 10 hits, closest first',
    given: seeded('s_plain'),
    call: { op: 'search', collection: 's_plain', queryVector: [0, 1, 0, 0] },
    expect: satisfies((r) => expect(ids(r)).toEqual(['b', 'c', 'a'])),
  },
  {
    name: 'Search with include_vector and a filter pushed down',
    given: seeded('s_filter'),
    call: { op: 'search', collection: 's_filter', queryVector: [0, 1, 0, 0], options: { topK: 10, includeVector: true, filter: { genre: 'scifi', year: { $gte: 2005 } } } },
    expect: satisfies((r) => expect(r.results).toEqual([{ id: 'c', score: expect.any(Number), vector: [0.5, 0.5, 0, 0], metadata: ROWS[2]!.metadata }])),
  },
  {
    name: 'Search with a dotted key reaches nested metadata',
    given: seeded('s_nested'),
    call: { op: 'search', collection: 's_nested', queryVector: [0, 1, 0, 0], options: { topK: 10, filter: { 'author.name': 'Le Guin' } } },
    expect: satisfies((r) => expect(ids(r)).toEqual(['a'])),
  },
  {
    name: 'Search (L2): the squared distance, lower first',
    given: seeded('s_l2', 'L2'),
    call: { op: 'search', collection: 's_l2', queryVector: [1, 0, 0, 0], options: { topK: 3 } },
    expect: satisfies((r) => expect(r.results.map((h: { id: string; score: number }) => [h.id, h.score])).toEqual([['a', 0], ['c', 0.5], ['b', 2]])),
  },
  {
    name: 'Search (IP): the dot product, higher first',
    given: seeded('s_ip', 'IP'),
    call: { op: 'search', collection: 's_ip', queryVector: [2, 0, 0, 0], options: { topK: 2 } },
    expect: satisfies((r) => expect(r.results.map((h: { id: string; score: number }) => [h.id, h.score])).toEqual([['a', 2], ['c', 1]])),
  },
  {
    name: 'Health reports the engine',
    call: { op: 'health' },
    expect: satisfies((h) => expect(h).toEqual({ healthy: true, message: expect.stringMatching(/\S/) })),
  },
  {
    name: 'Compact answers its message and keeps every row readable',
    given: [...seeded('compacted'), { op: 'delete', collection: 'compacted', ids: ['b'] }],
    call: { op: 'compact', collection: 'compacted' },
    expect: answers({ message: "collection 'compacted' compacted" }),
    then: [
      { call: { op: 'getCollectionStats', name: 'compacted' }, expect: satisfies((s) => expect(s.vectorCount).toBe(2)), same: (s) => s.vectorCount },
      { call: { op: 'getById', collection: 'compacted', id: 'c' }, expect: answers({ vector: ROWS[2] }) },
    ],
  },
  {
    name: 'Ids with URL-special characters and ids of exactly 512 bytes round-trip',
    given: [create('odd_ids')],
    call: { op: 'upsert', collection: 'odd_ids', vectors: oddIds().map((id, i): VectorIn => ({ id, vector: [0, 0, i, 1] })) },
    expect: answers({ ids: oddIds(), message: 'upserted 3 vectors' }),
    then: oddIds().map((id, i) => ({ call: { op: 'getById', collection: 'odd_ids', id }, expect: answers({ vector: { id, vector: [0, 0, i, 1], metadata: {} } }) }) as const),
  },
  {
    name: 'Metadata nested 20 levels deep (the documented bound) is stored and read back exactly',
    given: [create('deep')],
    call: { op: 'insert', collection: 'deep', vectors: [{ id: 'deep', vector: [1, 0, 0, 0], metadata: nested(20) }] },
    expect: answers({ ids: ['deep'], message: 'inserted 1 vector' }),
    then: [{ call: { op: 'getById', collection: 'deep', id: 'deep' }, expect: answers({ vector: { id: 'deep', vector: [1, 0, 0, 0], metadata: nested(20) } }) }],
  },
  ...NASTY.map((text, i): ParityCase => ({
    name: `a filter value matches literally: ${JSON.stringify(text)}`,
    call: { op: 'search', collection: LITERAL, queryVector: [1, 0, 0, 0], options: { topK: 20, filter: { text } } },
    expect: satisfies((r) => expect(ids(r)).toEqual([`n${i}`])),
    then: [
      { call: { op: 'search', collection: LITERAL, queryVector: [1, 0, 0, 0], options: { topK: 20, filter: { text: { $in: [text, 'absent'] } } } }, expect: satisfies((r) => expect(ids(r)).toEqual([`n${i}`])) },
      { call: { op: 'search', collection: LITERAL, queryVector: [1, 0, 0, 0], options: { topK: 20, filter: { text: { $ne: text } } } }, expect: satisfies((r) => expect(r.results).toHaveLength(NASTY.length)) },
    ],
  })),
  {
    name: 'a filter with $in over two tricky values finds both; an injection attempt finds nothing',
    call: { op: 'search', collection: LITERAL, queryVector: [1, 0, 0, 0], options: { topK: 20, filter: { text: { $in: [NASTY[4], NASTY[5]] } } } },
    expect: satisfies((r) => expect(ids(r).sort()).toEqual(['n4', 'n5'])),
    then: [{ call: { op: 'search', collection: LITERAL, queryVector: [1, 0, 0, 0], options: { topK: 20, filter: { text: "plain' OR '1'='1" } } }, expect: answers({ results: [] }) }],
  },
];

/** A path-hostile id, 512 bytes of two-byte characters, 512 bytes of ASCII. */
function oddIds(): string[] {
  return ['a/b?c#d e%20', 'ü'.repeat(256), 'y'.repeat(512)];
}
