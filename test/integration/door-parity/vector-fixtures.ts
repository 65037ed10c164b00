import type { VectorService } from '../../../src/domain';
import type { Door } from './doors';

/**
 * The collections every vector case starts from, seeded through the domain once. Bad input must
 * leave them as they are: each case ends with `readBack` through the door it ran on.
 */
export const INTACT = 'intact';
/** Values exactly representable as float32, so both doors read back what was sent. */
export const ROWS = [
  { id: 'a', vector: [1, 0, 0, 0], metadata: { genre: 'scifi', year: 2001, author: { name: 'Le Guin' } } },
  { id: 'b', vector: [0, 1, 0, 0], metadata: { genre: 'fantasy', year: 1990 } },
  { id: 'c', vector: [0.5, 0.5, 0, 0], metadata: { genre: 'scifi', year: 2010, tags: ['x', 'y'] } },
];

/** Filter values that break naive query building; each must match its own row literally. */
export const LITERAL = 'literal';
export const NASTY = [
  "it's",
  'say "hi"',
  'back\\slash',
  'back\\slash\\',
  "' OR 1=1 --",
  '") or ("',
  'line1\nline2',
  'line1\nline2\r\n',
  "\\'; DROP TABLE bad; --",
  `O'Brien said "hi"`,
  '%_*',
  '%_*?',
];
const LITERAL_ROWS = [
  ...NASTY.map((text, i) => ({ id: `n${i}`, vector: [1, i, 0, 0], metadata: { text } })),
  { id: 'plain', vector: [1, 0, 0, 0], metadata: { text: 'plain' } },
];

export const FIXTURE_COLLECTIONS = [INTACT, LITERAL];

export async function seedVectors(vectors: VectorService): Promise<void> {
  await vectors.createCollection({ name: INTACT, description: 'original', vectorDim: 4 });
  await vectors.insert(INTACT, ROWS);
  await vectors.createCollection({ name: LITERAL, vectorDim: 4 });
  await vectors.insert(LITERAL, LITERAL_ROWS);
}

/** Drops whatever a case created, through the domain, so the next door starts where this one did. */
export async function resetVectors(vectors: VectorService): Promise<void> {
  // Aliases first: a collection an alias names cannot be dropped.
  for (const { alias } of await vectors.listAliases(undefined)) await vectors.dropAlias(alias);
  for (const name of await vectors.listCollections()) if (!FIXTURE_COLLECTIONS.includes(name)) await vectors.dropCollection(name);
}

async function answer(door: Door, call: Parameters<Door['run']>[0]): Promise<any> {
  const outcome = await door.run(call);
  if (!outcome.ok) throw new Error(`read-back ${call.op} was refused: ${outcome.code} ${outcome.detail}`);
  return outcome.result;
}

/** The collections and aliases as a door lists them. */
export async function listedCollections(door: Door): Promise<unknown> {
  return { ...(await answer(door, { op: 'listCollections' })), ...(await answer(door, { op: 'listAliases' })) };
}

/** The fixtures as they were: definition, count, every row, search order. */
export async function readBackVectors(door: Door): Promise<void> {
  const info = await answer(door, { op: 'getCollectionInfo', name: INTACT });
  expect({ description: info.description, vectorDim: info.vectorDim, indexParams: info.indexParams }).toEqual({
    description: 'original',
    vectorDim: 4,
    indexParams: { indexType: '', metricType: 'COSINE', params: {} },
  });
  expect((await answer(door, { op: 'getCollectionStats', name: INTACT })).vectorCount).toBe(ROWS.length);
  for (const row of ROWS) expect(await answer(door, { op: 'getById', collection: INTACT, id: row.id })).toEqual({ vector: row });
  const { results } = await answer(door, { op: 'search', collection: INTACT, queryVector: [1, 0, 0, 0], options: { topK: 3 } });
  expect(results.map((r: { id: string }) => r.id)).toEqual(['a', 'c', 'b']);
  expect((await answer(door, { op: 'getCollectionStats', name: LITERAL })).vectorCount).toBe(LITERAL_ROWS.length);
  expect(await listedCollections(door)).toEqual({ names: FIXTURE_COLLECTIONS, aliases: [] });
  const listed = await answer(door, { op: 'listVectors', collection: INTACT, includeVector: true });
  expect(listed).toEqual({ vectors: ROWS, nextPageToken: '' });
}
